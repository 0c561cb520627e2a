/**
 * Can the AWS services really use the example app's keys? Every KMS request the service request
 * model (test/harness/service-requests.ts) says a service makes for the example's encrypted
 * resources, simulated across its five stacks, two accounts and two Regions: at deployment (the
 * stacks' CloudFormation execution roles, including CreateKey's lockout check on every key and
 * ReplicateKey for the DR replica), in use (every role the app declares as a reader or writer), by
 * the service-linked role of Auto Scaling; and the same requests by undeclared principals of the
 * account and of another account, which must be denied. The DynamoDB token tables of the snapshot
 * workflows' completion-event waits are found in the templates (every KMS-encrypted table) with the
 * state machines whose definitions call them (test/examples/state-machine-tables.ts); a mutation
 * test proves the sweep fails when their DynamoDB grant is missing.
 *
 * Rows tagged [PRODUCT-BUG ...] (PRODUCT_BUGS below) would fail against the current library.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { encryptedTables, mutatedWorld } from './state-machine-tables';
import { buildExampleApp, KeyStack, PARTNER_ACCOUNT, ReplicaStack, SECURITY_ACCOUNT } from '../../examples/app';
import { AuditStack } from '../../examples/audit';
import { DatabaseDrStack, DatabaseStack } from '../../examples/databases';
import { EncryptedBucket, EncryptedSecret, EncryptedVolume, SecureStringParameter } from '../../src';
import { CompletionWaits } from '../../src/snapshots/private/event-wait';
import {
  defineServiceChecks, deployer, DOCUMENTED_ACCOUNT_ACCESS, documentedAccountAccess, EncryptedResource, keyDeploymentRows, KMS_ALL,
  KnownProductBug, replicationRows, ServiceAccessStats, serviceAccessRows, ALLOW_ALL, cfnExecutionRoleArn, ResourceActor, runServiceAccess,
} from '../harness/service-access';
import { PolicyWorld } from '../harness/simulate';

/**
 * Known product bugs, as in test/services/service-requests.test.ts. None shows in the example app
 * today: its EBS key combines EbsEncryptionByDefault (the account may create grants through EC2)
 * and forAutoScaling (the service-linked role gets Encrypt and GenerateDataKey), which hide
 * EBS-CREATE-GRANT and EBS-DEFAULT-AUTOSCALING.
 */
const PRODUCT_BUGS: KnownProductBug[] = [];

const stats = new ServiceAccessStats();

afterAll(() => {
  // The figures the lead asked for: requests simulated, and how many undeclared ones were denied.
  console.log(stats.summary('test/examples/example-services.test.ts'));
});

describe('the example app, as the AWS services use it', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-services-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const stacks = buildExampleApp(app);
  app.synth();
  const [keys, replica, workload, partner, storage] = stacks as [KeyStack, ReplicaStack, Stack, Stack, Stack];
  const world = PolicyWorld.fromStacks(stacks);
  const child = <T>(scope: Stack, id: string): T => scope.node.findChild(id) as unknown as T;

  const worker = child<iam.Role>(storage, 'OrdersWorker');
  const reporting = child<iam.Role>(workload, 'ReportingRole');
  const importer = child<iam.Role>(partner, 'ImporterRole');
  const orders = child<EncryptedBucket>(storage, 'Orders');
  const scratch = child<EncryptedVolume>(storage, 'Scratch');
  const dbPassword = child<SecureStringParameter>(storage, 'DbPassword');
  const apiSecret = child<EncryptedSecret>(storage, 'ApiSecret');
  const ebsKey = storage.node.findChild('EbsKey');
  const parameterHandler = storage.node.findChild('CdkKmsPatternsSecureStringParameterProvider').node.findChild('Role');
  const env = (stack: Stack) => ({ account: stack.account, region: stack.region });

  // What the keys promise their whole account, from the constructs' documentation (see
  // test/services/service-requests.test.ts): EBS encryption by default on the EBS key, aws-cdk-lib
  // Secrets (and EncryptedSecret) on the secrets key. The data key promises nothing account-wide.
  const ebsAccount = [documentedAccountAccess(DOCUMENTED_ACCOUNT_ACCESS.ebsUsers,
    'EbsEncryptionByDefault documentation: every principal of the account through EC2, as the AWS managed aws/ebs key does')];
  const secretsAccount = [documentedAccountAccess(DOCUMENTED_ACCOUNT_ACCESS.secretsManagerAccount,
    'EncryptedSecret / aws-cdk-lib Secret: the account may use the key through Secrets Manager only')];

  const bucketArn = world.resolve(orders.bucket.bucketArn, orders.bucket) as string;
  const resources: Array<[EncryptedResource, typeof ebsAccount | undefined]> = [
    [{
      label: 'EncryptedBucket ExampleStorage/Orders',
      key: keys.dataKey,
      ...env(storage),
      services: ['s3'],
      flags: ['bucketKey'],
      facts: { bucketArn, objectArn: `${bucketArn}/orders/2026/11/0001.json` },
      actors: [
        deployer(storage),
        { label: 'OrdersWorker (grantReadWrite)', principal: worker, steps: ['read', 'write'] },
        { label: 'AppRole (key access: envelope through S3)', principal: keys.appRole, steps: ['read', 'write'] },
        {
          label: 'an analytics role (key access: analytics/* decrypt through S3)',
          principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/analytics/daily`,
          steps: ['read'],
          extraIdentityPolicies: [KMS_ALL],
        },
        { label: 'ReportingRole (grantDecrypt, other stack)', principal: reporting, steps: ['read'] },
        { label: `ImporterRole of ${PARTNER_ACCOUNT} (grantDecrypt, other account)`, principal: importer, steps: ['read'] },
      ],
    }, undefined],
    [{
      label: 'EncryptedVolume ExampleStorage/Scratch',
      key: scratch.encryptionKey,
      ...env(storage),
      services: ['ebs'],
      facts: { volumeId: world.resolve(scratch.volume.volumeId, scratch.volume) as string },
      actors: [deployer(storage, ['create'])],
    }, ebsAccount],
    [{
      label: 'EncryptedBlockDevice.forAutoScaling ExampleStorage/FleetTemplate',
      key: ebsKey,
      ...env(storage),
      services: ['autoscaling'],
      facts: { volumeId: 'vol-0123456789abcdef0' },
      actors: [deployer(storage)],
    }, ebsAccount],
    [{
      label: 'EbsEncryptionByDefault ExampleStorage/EbsDefault',
      key: ebsKey,
      ...env(storage),
      services: ['ebs', 'autoscaling'],
      flags: ['copyDestination'],
      facts: { volumeId: 'vol-0123456789abcdef0', snapshotId: 'snap-0123456789abcdef0' },
      actors: [deployer(storage, ['create', 'attach', 'copy'])],
    }, ebsAccount],
    [{
      label: 'SecureStringParameter ExampleStorage/DbPassword',
      key: dbPassword.encryptionKey,
      ...env(storage),
      services: ['ssm'],
      facts: { parameterArn: world.resolve(dbPassword.parameterArn, dbPassword) as string },
      actors: [
        { label: 'custom resource handler', principal: parameterHandler, steps: ['create', 'write', 'read'] },
        { label: 'OrdersWorker (grantRead)', principal: worker, steps: ['read'] },
      ],
    }, undefined],
    [{
      label: 'EncryptedSecret ExampleStorage/ApiSecret',
      key: apiSecret.encryptionKey,
      ...env(storage),
      services: ['secretsmanager'],
      facts: {
        secretArn: world.resolve(apiSecret.secret.secretArn, apiSecret.secret) as string,
        secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
      },
      actors: [deployer(storage, ['create'])],
    }, secretsAccount],
    // ExampleAudit: the trail (CloudTrail, CloudWatch Logs) and the alert topic (EventBridge rules, CloudWatch alarms) under the audit key.
    ...((audit: AuditStack): Array<[EncryptedResource, undefined]> => [
      [{
        label: 'KeyAuditTrail ExampleAudit/Trail',
        key: audit.trail.encryptionKey,
        ...env(audit),
        services: ['cloudtrail', 'logs'],
        facts: { trailArn: 'arn:aws:cloudtrail:{region}:{account}:trail/key-audit', logGroupArn: 'arn:aws:logs:{region}:{account}:log-group:/aws/cloudtrail/key-audit' },
        actors: [],
      }, undefined],
      [{
        label: 'KeyAlerts ExampleAudit/Alerts',
        key: audit.alerts.encryptionKey,
        ...env(audit),
        services: ['sns'],
        flags: ['eventBridgePublisher', 'alarmPublisher'],
        facts: {
          topicArn: `arn:aws:sns:{region}:{account}:${audit.alerts.topicName}`,
          alarmArn: `arn:aws:cloudwatch:{region}:{account}:alarm:${(audit.alerts.accessDeniedAlarm!.node.defaultChild as cloudwatch.CfnAlarm).alarmName}`,
        },
        actors: [],
      }, undefined],
    ])(stacks.find(s => s.stackName === 'ExampleAudit') as AuditStack),
    // The databases: RDS, Aurora and Redshift under one key (deployer creates them; the DBA reads the
    // master secrets; the analyst reads Performance Insights; CloudWatch Logs writes the exported logs),
    // and the DR Region's key for the Redshift snapshot copy grant (its custom resource handler).
    ...((db: DatabaseStack, dr: DatabaseDrStack): Array<[EncryptedResource, undefined]> => {
      const dba = child<iam.Role>(db, 'Dba');
      const analyst = child<iam.Role>(db, 'Analyst');
      const base = { key: db.key, ...env(db) };
      const secrets: Array<[string, string]> = [
        [`${db.orders.node.path}`, db.orders.secret.secretArn], [`${db.ledger.node.path}`, db.ledger.secret.secretArn], [`${db.warehouse.node.path}`, db.warehouse.secretArn],
      ];
      const logGroups = [
        ...['postgresql', 'upgrade'].map(l => `/aws/rds/instance/${db.orders.instanceIdentifier}/${l}`),
        `/aws/rds/cluster/${db.ledger.clusterIdentifier}/postgresql`,
        ...['connectionlog', 'useractivitylog', 'userlog'].map(l => `/aws/redshift/cluster/${db.warehouse.clusterIdentifier}/${l}`),
      ];
      return [
        [{ ...base, label: 'EncryptedDatabaseInstance and EncryptedDatabaseCluster (RDS)', services: ['rds'], flags: ['performanceInsights'], facts: { dbResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1' }, actors: [deployer(db, ['create']), { label: 'Analyst', principal: analyst, steps: ['read'] }] }, undefined],
        [{ ...base, label: 'EncryptedRedshiftCluster ExampleDatabases/Warehouse', services: ['redshift'], actors: [deployer(db, ['create'])] }, undefined],
        ...secrets.map(([secretPath, arn]): [EncryptedResource, undefined] => [{
          ...base,
          label: `master secret of ${secretPath}`,
          services: ['secretsmanager'],
          facts: { secretArn: world.resolve(arn, db) as string, secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1', pendingVersionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2' },
          actors: [deployer(db, ['create']), { label: 'Dba', principal: dba, steps: ['read'] }],
        }, undefined]),
        ...logGroups.map((group): [EncryptedResource, undefined] => [{ ...base, label: `log group ${group}`, services: ['logs'], facts: { logGroupArn: `arn:aws:logs:{region}:{account}:log-group:${group}` }, actors: [] }, undefined]),
        [{
          key: dr.node.findChild('WarehouseCopyKey') as unknown as EncryptedResource['key'],
          ...env(dr),
          label: 'RedshiftSnapshotCopyGrant ExampleDatabasesDr/WarehouseCopyGrant',
          services: ['redshift'],
          actors: [{ label: 'copy grant handler', principal: dr.node.findChild('AWS679f53fac002430cb0da5b7982bd2287').node.findChild('ServiceRole'), steps: ['copy'] }],
        }, undefined],
      ];
    })(stacks.find(s => s.stackName === 'ExampleDatabases') as DatabaseStack, stacks.find(s => s.stackName === 'ExampleDatabasesDr') as DatabaseDrStack),
    // ExampleKeys/ByokMaterial is created outside the app (under aws/secretsmanager) before the first
    // deployment: no key of the app encrypts it.
  ];

  // The completion-event token tables of the snapshot workflows (CompletionWaits, DynamoDB under the
  // workflow key): created by CloudFormation, used by every state machine whose definition calls
  // DynamoDB on them (the waiter's putItem/deleteItem, the callback's query/deleteItem), as its role.
  const tokenTables = encryptedTables(world);
  const tableResources = tokenTables.map((t): EncryptedResource => ({
    label: `DynamoDB table ${t.stack.stackName}/${t.logicalId}`,
    key: t.keyArn,
    account: t.stack.account,
    region: t.stack.region,
    services: ['dynamodb'],
    facts: { tableName: t.tableName },
    actors: [
      { label: 'CloudFormation execution role', principal: cfnExecutionRoleArn(t.stack.account, t.stack.region), steps: ['create'], extraIdentityPolicies: [ALLOW_ALL] },
      ...t.callers.map((c): ResourceActor => ({ label: `${c.machine} role (${c.actions.join(', ')})`, principal: c.role, steps: c.steps })),
    ],
  }));

  test('every completion-event token table of the app is swept, with the state machines that use it', () => {
    const waits = stacks.flatMap(s => s.node.findAll()).filter((c): c is CompletionWaits => c instanceof CompletionWaits && c.table !== undefined);
    const id = (c: Construct) => `${Stack.of(c).stackName}/${Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement)}`;
    expect(waits.length).toBeGreaterThan(0);
    // every token table is swept (with any other KMS-encrypted table of the app)
    expect(tokenTables.map(t => `${t.stack.stackName}/${t.logicalId}`)).toEqual(expect.arrayContaining(waits.map(w => id(w.table!))));
    for (const w of waits) {
      const table = tokenTables.find(t => `${t.stack.stackName}/${t.logicalId}` === id(w.table!))!;
      // the waiter stores and forgets its token; the callback finds and takes the tokens
      expect(new Set(table.callers.flatMap(c => c.actions))).toEqual(new Set(['putItem', 'deleteItem', 'query']));
      const callbackRole = Stack.of(w).getLogicalId(w.callback!.role.node.defaultChild as CfnElement);
      expect(table.callers.find(c => c.role.logicalId === callbackRole)?.actions).toEqual(['deleteItem', 'query']);
      expect(table.callers.some(c => c.actions.includes('putItem') && c.role.logicalId !== callbackRole)).toBe(true);
    }
  });

  // Mutation: without the key policy's DynamoDB statements (a grant the library forgot), the same
  // token table rows must fail: every state machine role is then denied the table key.
  test('the token table sweep fails when the DynamoDB grant is missing (mutation)', async () => {
    const [first] = tableResources;
    const keyLogicalId = (first.key as string).split('/').pop()!;
    let removed = 0;
    const mutant = mutatedWorld(world, (stackName, template) => {
      const key = template.Resources?.[keyLogicalId];
      if (stackName !== tokenTables[0].stack.stackName || key?.Type !== 'AWS::KMS::Key') return;
      const policy = key.Properties!.KeyPolicy as { Statement: Array<{ Condition?: unknown }> };
      const kept = policy.Statement.filter(st => !/"kms:ViaService":(\[[^\]]*)?"dynamodb\./.test(JSON.stringify(st.Condition ?? {})));
      removed += policy.Statement.length - kept.length;
      policy.Statement = kept;
    });
    expect(removed).toBeGreaterThan(0);
    const rows = serviceAccessRows(mutant, first);
    await expect(runServiceAccess(mutant, rows, new ServiceAccessStats())).rejects.toThrow(/kms:Decrypt/);
    // precisely: each state machine's requests (waiter write, callback read and write) are denied
    const machineRows = rows.filter(r => r.kind === 'declared' && !r.label.includes('CloudFormation execution role'));
    expect(machineRows.map(r => r.model.step).sort()).toEqual(['read', 'write', 'write']);
    for (const row of machineRows) expect(await mutant.simulate(row)).not.toBe('Allowed');
    // the unmutated rows pass (the same rows, the real world)
    await expect(runServiceAccess(world, serviceAccessRows(world, first), new ServiceAccessStats())).resolves.toBeGreaterThan(0);
  });

  defineServiceChecks(world, [
    ...resources.flatMap(([resource, accountAccess]) => serviceAccessRows(world, resource, { accountAccess })),
    ...tableResources.flatMap(resource => serviceAccessRows(world, resource)),
    ...keyDeploymentRows(world),
    ...replicationRows(keys.dataKey, `${keys.stackName}/DataKey (primary of ${replica.stackName})`, replica),
  ], stats, PRODUCT_BUGS);
});
