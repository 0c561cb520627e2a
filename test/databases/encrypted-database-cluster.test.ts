import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { EncryptedDatabaseCluster, EncryptedDatabaseClusterProps, EncryptionKey } from '../../src';
import { nagFindings } from '../harness/compliance';
import { defineServiceChecks, deployer, keyDeploymentRows, ServiceAccessStats, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_RDS = { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' };
const VIA_SM = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const AURORA_PG = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 });
const AURORA_MYSQL = rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 });
const stats = new ServiceAccessStats();

function newStack(): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  return { app, stack, vpc: new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) };
}

function lambdaRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

afterAll(() => {
  console.log(stats.summary('test/databases/encrypted-database-cluster.test.ts'));
});

describe('EncryptedDatabaseCluster', () => {
  test('Aurora PostgreSQL: storage, Performance Insights (cluster and writer), managed secret and log group under the key; TLS; protected', async () => {
    const { app, stack, vpc } = newStack();
    const db = new EncryptedDatabaseCluster(stack, 'Ledger', { engine: AURORA_PG, vpc });
    const reader = lambdaRole(stack, 'Reader');
    const analyst = lambdaRole(stack, 'Analyst');
    db.grantSecretRead(reader);
    db.grantPerformanceInsightsRead(analyst);
    db.grantConnect(lambdaRole(stack, 'App'), 'ledger_app');
    app.synth();
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^LedgerKey'), 'Arn'] };
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^LedgerLogsPostgresql')]),
      Properties: Match.objectLike({
        DBClusterIdentifier: db.clusterIdentifier,
        StorageEncrypted: true,
        KmsKeyId: keyArn,
        PerformanceInsightsEnabled: true,
        PerformanceInsightsKmsKeyId: keyArn,
        ManageMasterUserPassword: true,
        MasterUserSecret: { KmsKeyId: keyArn },
        EnableCloudwatchLogsExports: ['postgresql'],
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 7,
        DeleteAutomatedBackups: false,
        CopyTagsToSnapshot: true,
        DeletionProtection: true,
      }),
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.r6g.large', EnablePerformanceInsights: true, PerformanceInsightsKMSKeyId: keyArn, PubliclyAccessible: false,
    });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1' } });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { LogGroupName: `/aws/rds/cluster/${db.clusterIdentifier}/postgresql`, KmsKeyId: keyArn, RetentionInDays: 365 },
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    const key = db.encryptionKey;
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'CloudWatch Logs for the cluster\'s group', principal: 'logs.eu-west-1.amazonaws.com', key, action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:111111111111:log-group:/aws/rds/cluster/${db.clusterIdentifier}/postgresql` }, expect: 'allow' },
      { label: 'CloudWatch Logs for an instance group', principal: 'logs.eu-west-1.amazonaws.com', key, action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/rds/instance/x/postgresql' }, expect: 'deny' },
      { label: 'secret reader through Secrets Manager', principal: reader, key, action: 'kms:Decrypt', context: VIA_SM, expect: 'allow' },
      { label: 'secret reader directly', principal: reader, key, action: 'kms:Decrypt', expect: 'deny' },
      { label: 'analyst reads Performance Insights', principal: analyst, key, action: ['kms:Decrypt', 'kms:GenerateDataKey'], context: { ...VIA_RDS, 'kms:EncryptionContext:aws:pi:service': 'rds', 'kms:EncryptionContext:service': 'pi' }, expect: 'allow' },
      { label: 'analyst decrypts storage data keys through RDS', principal: analyst, key, action: 'kms:Decrypt', context: VIA_RDS, expect: 'deny' },
    ]);
    // cdk-nag: only the user's choices remain (enhanced monitoring, a backup plan)
    expect([...new Set(nagFindings(stack).filter(f => f.resourcePath.startsWith('S/Ledger')).map(f => f.ruleId))].sort()).toEqual([
      'HIPAA.Security-RDSEnhancedMonitoringEnabled', 'HIPAA.Security-RDSInBackupPlan',
      'NIST.800.53.R5-RDSEnhancedMonitoringEnabled', 'NIST.800.53.R5-RDSInBackupPlan',
    ]);
  });

  test('Aurora MySQL 3: require_secure_transport, four log groups, backtracking and serverless v2 readers', () => {
    const { stack, vpc } = newStack();
    const key = new EncryptionKey(stack, 'SharedKey');
    const db = new EncryptedDatabaseCluster(stack, 'Shop', {
      engine: AURORA_MYSQL,
      vpc,
      encryptionKey: key,
      clusterIdentifier: 'shop',
      backtrackWindow: Duration.hours(24),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      serverlessV2MaxCapacity: 4,
    });
    expect(db.encryptionKey).toBe(key);
    const template = Template.fromStack(stack);
    // the cluster writes the logs it exports (Advanced Auditing for audit, general and slow query logs to files)
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Parameters: {
        require_secure_transport: 'ON',
        server_audit_logging: '1',
        server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL',
        general_log: '1',
        slow_query_log: '1',
        log_output: 'FILE',
      },
    });
    template.hasResourceProperties('AWS::RDS::DBCluster', { BacktrackWindow: 86400, EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'], MasterUsername: 'admin' });
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  test.each([
    ['an instance engine', () => ({ engine: rds.DatabaseClusterEngine.aurora({ version: rds.AuroraEngineVersion.VER_1_22_2 }) }),
      /engine must be one of aurora-mysql, aurora-postgresql \(Aurora MySQL version 1, MySQL 5.6 compatible, cannot require TLS/],
    ['backtracking on PostgreSQL', () => ({ backtrackWindow: Duration.hours(1) }), "backtrackWindow can be set only for Aurora MySQL, got 'aurora-postgresql'"],
    ['an Aurora MySQL log type on PostgreSQL', () => ({ cloudwatchLogsExports: ['audit'] }), "cloudwatchLogsExports must list log types of aurora-postgresql (postgresql), got 'audit'"],
    ['a parameter that turns TLS off', () => ({ parameters: { 'rds.force_ssl': '0' } }), /parameters\['rds.force_ssl'\] must be 1/],
    ['a backup retention of 36 days', () => ({ backupRetention: Duration.days(36) }), 'backupRetention must be between 1 and 35 days, got 36'],
  ])('refuses %s before creating anything', (_name, overrides, message) => {
    const { stack, vpc } = newStack();
    const props = { engine: AURORA_PG, vpc, ...overrides() } as EncryptedDatabaseClusterProps;
    expect(() => new EncryptedDatabaseCluster(stack, 'Db', props)).toThrow(message);
    expect(stack.node.tryFindChild('Db')).toBeUndefined();
  });

  test('Aurora MySQL: the user\'s parameters override the log parameters; Aurora PostgreSQL gets none of them', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseCluster(stack, 'Shop', { engine: AURORA_MYSQL, vpc, parameters: { server_audit_events: 'CONNECT,QUERY' }, cloudwatchLogsExports: ['audit', 'error'] });
    new EncryptedDatabaseCluster(stack, 'Ledger', { engine: AURORA_PG, vpc });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-mysql8.0', Parameters: { require_secure_transport: 'ON', server_audit_logging: '1', server_audit_events: 'CONNECT,QUERY' },
    });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Family: 'aurora-postgresql16', Parameters: { 'rds.force_ssl': '1' } });
    expect(JSON.stringify(template.findResources('AWS::RDS::DBClusterParameterGroup'))).not.toContain('general_log');
  });

  test.each(['t3.medium', 't2.medium', 't4g.small'])('refuses Performance Insights on an Aurora MySQL %s instance (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html)', (size) => {
    const { stack, vpc } = newStack();
    expect(() => new EncryptedDatabaseCluster(stack, 'Db', { engine: AURORA_MYSQL, vpc, writer: rds.ClusterInstance.provisioned('Writer', { instanceType: new ec2.InstanceType(size) }) })).toThrow(
      `writer or readers (S/Db/Resource/Writer) must be an instance class with Performance Insights: aurora-mysql has none on db.t2, db.t3, db.t4g.micro and db.t4g.small; pick a larger class or set enablePerformanceInsights: false, got 'db.${size}'`);
  });

  test('Aurora MySQL on db.t4g.medium with Performance Insights, db.t3.medium without it, Aurora PostgreSQL on db.t3.medium with it: accepted', () => {
    const { stack, vpc } = newStack();
    const writer = (size: string) => rds.ClusterInstance.provisioned('Writer', { instanceType: new ec2.InstanceType(size) });
    new EncryptedDatabaseCluster(stack, 'A', { engine: AURORA_MYSQL, vpc, writer: writer('t4g.medium') });
    new EncryptedDatabaseCluster(stack, 'B', { engine: AURORA_MYSQL, vpc, writer: writer('t3.medium'), enablePerformanceInsights: false });
    new EncryptedDatabaseCluster(stack, 'C', { engine: AURORA_PG, vpc, writer: writer('t3.medium') });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBInstance', 3);
  });

  test('a generated master secret: the key warns that the account may use it through Secrets Manager, and it may', async () => {
    const { app, stack, vpc } = newStack();
    const db = new EncryptedDatabaseCluster(stack, 'Legacy', { engine: AURORA_PG, vpc, manageMasterUserPassword: false });
    app.synth();
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LegacyKey'), 'Arn'] } });
    const keyWarnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-kms-patterns:accountWideGrant'));
    expect(keyWarnings.length).toBeGreaterThan(0);
    expect(new Set(keyWarnings.map(w => w.id))).toEqual(new Set(['/S/Legacy/Key/Viasecretsmanager']));
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'an undeclared role of the account through Secrets Manager', principal: 'arn:aws:iam::111111111111:role/Undeclared', key: db.encryptionKey, action: 'kms:Decrypt', context: VIA_SM, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'an undeclared role of the account directly', principal: 'arn:aws:iam::111111111111:role/Undeclared', key: db.encryptionKey, action: 'kms:Decrypt', extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('Performance Insights off and TLS not required warn', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseCluster(stack, 'Weak', { engine: AURORA_PG, vpc, enablePerformanceInsights: false, requireTls: false });
    const warnings = Annotations.fromStack(stack).findWarning('/S/Weak', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('cdk-kms-patterns:databasePerformanceInsightsOff'), expect.stringContaining('cdk-kms-patterns:databaseTlsNotRequired'),
    ]));
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { PerformanceInsightsKmsKeyId: Match.absent() });
  });
});

describe('EncryptedDatabaseCluster service requests (the model\'s RDS, Secrets Manager and CloudWatch Logs rows)', () => {
  const app = new App();
  const stack = new Stack(app, 'Aurora', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const db = new EncryptedDatabaseCluster(stack, 'Ledger', { engine: AURORA_PG, vpc });
  const secretReader = lambdaRole(stack, 'SecretReader');
  const analyst = lambdaRole(stack, 'Analyst');
  db.grantSecretRead(secretReader);
  db.grantPerformanceInsightsRead(analyst);
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  const label = `EncryptedDatabaseCluster ${db.node.path}`;
  const base = { key: db.encryptionKey, account: stack.account, region: stack.region };
  defineServiceChecks(world, [
    ...serviceAccessRows(world, {
      ...base,
      label: `${label} (RDS)`,
      services: ['rds'],
      flags: ['performanceInsights'],
      facts: { dbResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1' },
      // the deployer creates the cluster, and its final snapshot on delete (CreateDBClusterSnapshot, the model's copy rows);
      // undeclared roles are denied the same requests
      actors: [deployer(stack, ['create', 'copy']), { label: 'grantPerformanceInsightsRead principal', principal: analyst, steps: ['read'] }],
    }),
    ...serviceAccessRows(world, {
      ...base,
      label: `${label} (RDS-managed master secret)`,
      services: ['secretsmanager'],
      facts: { secretArn: world.resolve(db.secret.secretArn, db.cluster) as string, secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1', pendingVersionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2' },
      actors: [deployer(stack, ['create']), { label: 'grantSecretRead principal', principal: secretReader, steps: ['read'] }],
    }),
    ...serviceAccessRows(world, {
      ...base,
      label: `${label} (log group postgresql)`,
      services: ['logs'],
      facts: { logGroupArn: `arn:aws:logs:{region}:{account}:log-group:/aws/rds/cluster/${db.clusterIdentifier}/postgresql` },
      actors: [],
    }),
    ...keyDeploymentRows(world),
  ], stats);
});
