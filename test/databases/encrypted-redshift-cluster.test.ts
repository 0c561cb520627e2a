import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptedRedshiftCluster, EncryptedRedshiftClusterProps, EncryptionKey } from '../../src';
import { nagFindings } from '../harness/compliance';
import { defineServiceChecks, deployer, keyDeploymentRows, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_SM = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };
const VIA_REDSHIFT = { 'kms:ViaService': 'redshift.eu-west-1.amazonaws.com' };
const stats = new ServiceAccessStats();

function newStack(): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  return { app, stack, vpc: new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) };
}

afterAll(() => {
  console.log(stats.summary('test/databases/encrypted-redshift-cluster.test.ts'));
});

describe('EncryptedRedshiftCluster', () => {
  test('encrypted with the key ARN, Redshift-managed admin password under the key, SSL, audit logs under the key, 7-day snapshots, Region copy', async () => {
    const { app, stack, vpc } = newStack();
    const warehouse = new EncryptedRedshiftCluster(stack, 'Warehouse', {
      vpc, port: 5440, snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'warehouse-dr', retention: Duration.days(14) },
    });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    warehouse.grantSecretRead(reader);
    app.synth();
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^WarehouseKey'), 'Arn'] };
    template.hasResource('AWS::Redshift::Cluster', {
      DeletionPolicy: 'Snapshot',
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^WarehouseLogsConnectionlog'), Match.stringLikeRegexp('^WarehouseLogsUseractivitylog'), Match.stringLikeRegexp('^WarehouseLogsUserlog')]),
      Properties: Match.objectLike({
        ClusterIdentifier: warehouse.clusterIdentifier,
        Encrypted: true,
        KmsKeyId: keyArn,
        ManageMasterPassword: true,
        MasterPasswordSecretKmsKeyId: keyArn,
        MasterUserPassword: Match.absent(),
        MasterUsername: 'admin',
        EnhancedVpcRouting: true,
        PubliclyAccessible: false,
        AllowVersionUpgrade: true,
        AutomatedSnapshotRetentionPeriod: 7,
        PreferredMaintenanceWindow: 'sun:23:00-mon:01:30',
        LoggingProperties: { LogDestinationType: 'cloudwatch', LogExports: ['connectionlog', 'useractivitylog', 'userlog'] },
        DestinationRegion: 'us-east-1',
        SnapshotCopyGrantName: 'warehouse-dr',
        SnapshotCopyRetentionPeriod: 14,
        ClusterType: 'multi-node',
        NumberOfNodes: 2,
        NodeType: 'ra3.xlplus',
        Port: 5440,
      }),
    });
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', {
      Parameters: [{ ParameterName: 'require_ssl', ParameterValue: 'true' }, { ParameterName: 'enable_user_activity_logging', ParameterValue: 'true' }],
    });
    for (const log of ['connectionlog', 'useractivitylog', 'userlog']) {
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: `/aws/redshift/cluster/${warehouse.clusterIdentifier}/${log}`, KmsKeyId: keyArn, RetentionInDays: 365 },
      });
    }
    // the security group allows nothing by default, in or out
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const key = warehouse.encryptionKey;
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'CloudWatch Logs for the audit log groups', principal: 'logs.eu-west-1.amazonaws.com', key, action: ['kms:GenerateDataKey', 'kms:Decrypt'], context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:111111111111:log-group:/aws/redshift/cluster/${warehouse.clusterIdentifier}/useractivitylog` }, expect: 'allow' },
      { label: 'admin secret reader through Secrets Manager', principal: reader, key, action: 'kms:Decrypt', context: VIA_SM, expect: 'allow' },
      { label: 'admin secret reader through Redshift or directly', principal: reader, key, action: 'kms:Decrypt', context: VIA_REDSHIFT, expect: 'deny' },
    ]);
    // cdk-nag, the four packs and KmsChecks: nothing left on the cluster
    expect(nagFindings(stack).filter(f => f.resourcePath.startsWith('S/Warehouse')).map(f => f.ruleId)).toEqual([]);
  });

  test('single node, a given key and identifier, RETAIN, manual snapshot retention', () => {
    const { stack, vpc } = newStack();
    const key = new EncryptionKey(stack, 'Key');
    const warehouse = new EncryptedRedshiftCluster(stack, 'Small', {
      vpc, encryptionKey: key, numberOfNodes: 1, clusterIdentifier: 'Analytics', removalPolicy: RemovalPolicy.RETAIN, manualSnapshotRetention: Duration.days(90),
    });
    expect(warehouse.clusterIdentifier).toBe('analytics');
    Template.fromStack(stack).hasResource('AWS::Redshift::Cluster', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ ClusterType: 'single-node', NumberOfNodes: Match.absent(), ManualSnapshotRetentionPeriod: 90, ClusterIdentifier: 'analytics' }),
    });
  });

  test('weakened defaults warn', () => {
    const { stack, vpc } = newStack();
    new EncryptedRedshiftCluster(stack, 'Weak', { vpc, requireTls: false, enhancedVpcRouting: false, auditLogging: false, removalPolicy: RemovalPolicy.DESTROY });
    const warnings = Annotations.fromStack(stack).findWarning('/S/Weak', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('cdk-kms-patterns:databaseTlsNotRequired'),
      expect.stringContaining('cdk-kms-patterns:redshiftEnhancedVpcRoutingOff'),
      expect.stringContaining('cdk-kms-patterns:databaseLogExportsReduced'),
      expect.stringContaining('cdk-kms-patterns:databaseRemovalPolicy'),
    ]));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.hasResourceProperties('AWS::Redshift::Cluster', { LoggingProperties: Match.absent(), EnhancedVpcRouting: false });
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', { Parameters: Match.arrayWith([{ ParameterName: 'require_ssl', ParameterValue: 'false' }]) });
  });

  test.each([
    ['an asymmetric key', (s: Stack) => ({ encryptionKey: new EncryptionKey(s, 'Rsa', { keySpec: kms.KeySpec.RSA_2048 }) }),
      "encryptionKey must be a SYMMETRIC_DEFAULT key (Redshift supports only symmetric keys), got 'RSA_2048'"],
    ['a key of another Region', (s: Stack) => ({ encryptionKey: EncryptionKey.fromKeyArn(s, 'Far', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab') }),
      /encryptionKey must be a key in the stack's Region eu-west-1/],
    ['awsuser', () => ({ masterUsername: 'awsuser' }), /masterUsername must be .* not be awsuser/],
    ['0 nodes', () => ({ numberOfNodes: 0 }), 'numberOfNodes must be a whole number from 1 to 128, got 0'],
    ['an unknown node type', () => ({ nodeType: 'm5.large' }), "nodeType must be a Redshift node type such as ra3.xlplus, ra3.4xlarge or dc2.large, got 'm5.large'"],
    ['a port below 1150', () => ({ port: 80 }), 'port must be from 1150 to 65535, got 80'],
    ['automated snapshots off', () => ({ automatedSnapshotRetention: Duration.days(0) }), 'automatedSnapshotRetention must be between 1 and 35 days, got 0'],
    ['a copy to its own Region', () => ({ snapshotCopy: { destinationRegion: 'eu-west-1', grantName: 'g' } }),
      "snapshotCopy.destinationRegion must differ from the cluster's Region eu-west-1, got 'eu-west-1'"],
    ['a copy grant name with capitals', () => ({ snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'Warehouse' } }),
      /snapshotCopy.grantName must be 1 to 63 lowercase letters/],
    ['a copy retention of 40 days', () => ({ snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'g', retention: Duration.days(40) } }),
      'snapshotCopy.retention must be between 1 and 35 days, got 40'],
    ['both copy retention periods', () => ({ snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'g', retention: Duration.days(7), manualSnapshotRetention: Duration.days(30) } }),
      /^set either snapshotCopy.retention or snapshotCopy.manualSnapshotRetention, not both/],
    ['a manual copy retention of 4000 days', () => ({ snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'g', manualSnapshotRetention: Duration.days(4000) } }),
      'snapshotCopy.manualSnapshotRetention must be between 1 and 3653 days, got 4000'],
    ['an invalid identifier', () => ({ clusterIdentifier: '1cluster' }), /clusterIdentifier must be 1 to 63 letters/],
    ['RETAIN_ON_UPDATE_OR_DELETE', () => ({ removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }),
      "removalPolicy must be SNAPSHOT, RETAIN or DESTROY, got 'retain-on-update-or-delete'"],
  ])('refuses %s before creating anything', (_name, overrides, message) => {
    const { stack, vpc } = newStack();
    const props = { vpc, ...overrides(stack) } as EncryptedRedshiftClusterProps;
    expect(() => new EncryptedRedshiftCluster(stack, 'Db', props)).toThrow(message);
    expect(stack.node.tryFindChild('Db')).toBeUndefined();
  });
});

describe('EncryptedRedshiftCluster snapshot copy of manual snapshots', () => {
  test('manualSnapshotRetention: the copy retention applies to manual copies (SnapshotCopyManual), 30 days', () => {
    const { stack, vpc } = newStack();
    new EncryptedRedshiftCluster(stack, 'Dw', { vpc, snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'dw-dr', manualSnapshotRetention: Duration.days(30) } });
    Template.fromStack(stack).hasResourceProperties('AWS::Redshift::Cluster', {
      DestinationRegion: 'us-east-1', SnapshotCopyGrantName: 'dw-dr', SnapshotCopyRetentionPeriod: 30, SnapshotCopyManual: true,
    });
  });

  test('without it the retention is the automated copies\' and SnapshotCopyManual is not set', () => {
    const { stack, vpc } = newStack();
    new EncryptedRedshiftCluster(stack, 'Dw', { vpc, snapshotCopy: { destinationRegion: 'us-east-1', grantName: 'dw-dr' } });
    Template.fromStack(stack).hasResourceProperties('AWS::Redshift::Cluster', {
      SnapshotCopyRetentionPeriod: 7, SnapshotCopyManual: Match.absent(),
    });
  });
});

describe('EncryptedRedshiftCluster service requests (the model\'s Redshift, Secrets Manager and CloudWatch Logs rows)', () => {
  const app = new App();
  const stack = new Stack(app, 'Warehouse', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const warehouse = new EncryptedRedshiftCluster(stack, 'Dw', { vpc });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  warehouse.grantSecretRead(reader);
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  const label = `EncryptedRedshiftCluster ${warehouse.node.path}`;
  const base = { key: warehouse.encryptionKey, account: stack.account, region: stack.region };
  defineServiceChecks(world, [
    ...serviceAccessRows(world, { ...base, label: `${label} (Redshift)`, services: ['redshift'], actors: [deployer(stack, ['create'])] }),
    ...serviceAccessRows(world, {
      ...base,
      label: `${label} (Redshift-managed admin secret)`,
      services: ['secretsmanager'],
      facts: { secretArn: world.resolve(warehouse.secretArn, warehouse.cluster) as string, secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1', pendingVersionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2' },
      actors: [deployer(stack, ['create']), { label: 'grantSecretRead principal', principal: reader, steps: ['read'] }],
    }),
    ...['connectionlog', 'useractivitylog', 'userlog'].flatMap(log => serviceAccessRows(world, {
      ...base,
      label: `${label} (log group ${log})`,
      services: ['logs'],
      facts: { logGroupArn: `arn:aws:logs:{region}:{account}:log-group:/aws/redshift/cluster/${warehouse.clusterIdentifier}/${log}` },
      actors: [],
    })),
    ...keyDeploymentRows(world),
  ], stats);
});
