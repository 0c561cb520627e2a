import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { EncryptedDatabaseInstance, EncryptedDatabaseInstanceProps, EncryptionKey } from '../../src';
import { nagFindings } from '../harness/compliance';
import {
  defineServiceChecks, deployer, keyDeploymentRows, ServiceAccessStats, serviceAccessRows,
} from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_RDS = { 'kms:ViaService': 'rds.eu-west-1.amazonaws.com' };
const VIA_SM = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const POSTGRES = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
const MYSQL = rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 });
const stats = new ServiceAccessStats();

function isolatedVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
}

function newStack(): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  return { app, stack, vpc: isolatedVpc(stack) };
}

function lambdaRole(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

afterAll(() => {
  console.log(stats.summary('test/databases/encrypted-database-instance.test.ts'));
});

describe('EncryptedDatabaseInstance', () => {
  test('PostgreSQL: every surface under the key, TLS required, retained, protected; users reach the key through the right service only', async () => {
    // GIVEN
    const { app, stack, vpc } = newStack();
    const reader = lambdaRole(stack, 'SecretReader');
    const analyst = lambdaRole(stack, 'Analyst');
    const app1 = lambdaRole(stack, 'App');

    // WHEN
    const db = new EncryptedDatabaseInstance(stack, 'Orders', { engine: POSTGRES, vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    db.grantSecretRead(reader);
    db.grantPerformanceInsightsRead(analyst);
    db.grantConnect(app1, 'orders_app');
    app.synth();

    // THEN: storage, Performance Insights and the managed master secret under the key
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersKey'), 'Arn'] };
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^OrdersLogsPostgresql'), Match.stringLikeRegexp('^OrdersLogsUpgrade')]),
      Properties: Match.objectLike({
        DBInstanceIdentifier: db.instanceIdentifier,
        StorageEncrypted: true,
        KmsKeyId: keyArn,
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: keyArn,
        PerformanceInsightsRetentionPeriod: 7,
        ManageMasterUserPassword: true,
        MasterUserSecret: { KmsKeyId: keyArn },
        MasterUserPassword: Match.absent(),
        EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        EnableIAMDatabaseAuthentication: true,
        BackupRetentionPeriod: 7,
        DeleteAutomatedBackups: false,
        CopyTagsToSnapshot: true,
        DeletionProtection: true,
        PubliclyAccessible: false,
        MultiAZ: true,
        StorageType: 'gp3',
        DBParameterGroupName: { Ref: Match.stringLikeRegexp('^OrdersParameters') },
      }),
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: { 'rds.force_ssl': '1' } });
    // the log groups exist first, under the key, kept a year, retained
    for (const log of ['postgresql', 'upgrade']) {
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: `/aws/rds/instance/${db.instanceIdentifier}/${log}`, KmsKeyId: keyArn, RetentionInDays: 365 },
      });
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(db.instanceIdentifier).toMatch(/^s-orders-[0-9a-f]{8}$/);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);

    const world = PolicyWorld.fromStacks([stack]);
    const key = db.encryptionKey;
    const logGroup = (log: string) => `arn:aws:logs:eu-west-1:111111111111:log-group:/aws/rds/instance/${db.instanceIdentifier}/${log}`;
    const dbResourceId = world.resolve(db.instance.instanceResourceId!, db.instance) as string;
    const piContext = { ...VIA_RDS, 'kms:EncryptionContext:aws:pi:service': 'rds', 'kms:EncryptionContext:service': 'pi', 'kms:EncryptionContext:aws:rds:db-id': dbResourceId };
    await expectAccess(world, [
      { label: 'CloudWatch Logs writes the exported log groups', principal: 'logs.eu-west-1.amazonaws.com', key, action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], context: { 'kms:EncryptionContext:aws:logs:arn': logGroup('postgresql') }, expect: 'allow' },
      { label: 'CloudWatch Logs for another log group', principal: 'logs.eu-west-1.amazonaws.com', key, action: ['kms:GenerateDataKey', 'kms:Decrypt'], context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:/app/other' }, expect: 'deny' },
      { label: 'secret reader through Secrets Manager', principal: reader, key, action: 'kms:Decrypt', context: VIA_SM, expect: 'allow' },
      { label: 'secret reader directly or through RDS', principal: reader, key, action: ['kms:Decrypt', 'kms:GenerateDataKey'], expect: 'deny' },
      { label: 'secret reader through RDS', principal: reader, key, action: 'kms:Decrypt', context: VIA_RDS, expect: 'deny' },
      { label: 'analyst reads Performance Insights of this instance', principal: analyst, key, action: ['kms:Decrypt', 'kms:GenerateDataKey'], context: piContext, expect: 'allow' },
      { label: 'analyst: not Performance Insights data', principal: analyst, key, action: 'kms:Decrypt', context: { ...piContext, 'kms:EncryptionContext:service': 'other' }, expect: 'deny' },
      { label: 'analyst: through RDS without the Performance Insights context', principal: analyst, key, action: 'kms:Decrypt', context: VIA_RDS, expect: 'deny' },
      { label: 'IAM-authenticated app never touches the key', principal: app1, key, action: ['kms:Decrypt', 'kms:DescribeKey'], context: VIA_RDS, expect: 'deny' },
      { label: 'an undeclared role of the account through RDS', principal: 'arn:aws:iam::111111111111:role/Undeclared', key, action: ['kms:Decrypt', 'kms:CreateGrant', 'kms:DescribeKey'], context: { ...VIA_RDS, 'kms:GrantIsForAWSResource': 'true' }, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
    // the IAM halves: secretsmanager on the secret only, pi on this instance's metrics only, rds-db:connect as one user
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('secretsmanager:GetSecretValue');
    expect(policies).toContain('MasterUserSecret.SecretArn');
    expect(policies).toContain(':metrics/rds/');
    expect(policies).toContain('/orders_app');

    // cdk-nag: only the user's choices remain (enhanced monitoring, a backup plan, the default port, the grantees' inline policies)
    expect([...new Set(nagFindings(stack).filter(f => f.resourcePath.startsWith('S/Orders')).map(f => f.ruleId))].sort()).toEqual([
      'AwsSolutions-RDS11', 'HIPAA.Security-RDSEnhancedMonitoringEnabled', 'HIPAA.Security-RDSInBackupPlan',
      'NIST.800.53.R5-RDSEnhancedMonitoringEnabled', 'NIST.800.53.R5-RDSInBackupPlan',
    ]);
  });

  test('MySQL: require_secure_transport, all four logs exported into four encrypted groups; a given key and identifier', () => {
    const { stack, vpc } = newStack();
    const key = new EncryptionKey(stack, 'DbKey');
    const db = new EncryptedDatabaseInstance(stack, 'Shop', {
      engine: MYSQL,
      vpc,
      encryptionKey: key,
      instanceIdentifier: 'Shop-Primary',
      parameters: { max_connections: '500' },
      port: 3307,
      monitoringInterval: Duration.seconds(60),
      backupRetention: Duration.days(14),
    });
    expect(db.encryptionKey).toBe(key);
    expect(db.instanceIdentifier).toBe('shop-primary');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { require_secure_transport: 'ON', max_connections: '500' } });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'],
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbKey'), 'Arn'] },
      MasterUsername: 'admin',
      BackupRetentionPeriod: 14,
      MonitoringInterval: 60,
      Port: '3307',
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 4);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/instance/shop-primary/slowquery' });
  });

  test('a generated master secret under the key when RDS does not manage the password, with a warning', async () => {
    const { app, stack, vpc } = newStack();
    const db = new EncryptedDatabaseInstance(stack, 'Legacy', { engine: POSTGRES, vpc, manageMasterUserPassword: false });
    const reader = lambdaRole(stack, 'Reader');
    db.grantSecretRead(reader);
    app.synth();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LegacyKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { ManageMasterUserPassword: Match.absent(), MasterUserSecret: Match.absent() });
    Annotations.fromStack(stack).hasWarning('/S/Legacy', Match.stringLikeRegexp('manageMasterUserPassword is false'));
    // aws-cdk-lib's DatabaseSecret gives the whole account the key through Secrets Manager: the key
    // says so (the construct does not hide it), and an undeclared role of the account gets through.
    const keyWarnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cdk-kms-patterns:accountWideGrant'));
    expect(keyWarnings.length).toBeGreaterThan(0);
    expect(new Set(keyWarnings.map(w => w.id))).toEqual(new Set(['/S/Legacy/Key/Viasecretsmanager']));
    expect(keyWarnings.map(w => String(w.entry.data)).join('\n')).toContain('secretsmanager.eu-west-1.amazonaws.com');
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'reader through Secrets Manager', principal: reader, key: db.encryptionKey, action: 'kms:Decrypt', context: VIA_SM, expect: 'allow' },
      { label: 'reader directly', principal: reader, key: db.encryptionKey, action: 'kms:Decrypt', expect: 'deny' },
      { label: 'an undeclared role of the account through Secrets Manager (the DatabaseSecret\'s account-wide grant)', principal: 'arn:aws:iam::111111111111:role/Undeclared', key: db.encryptionKey, action: 'kms:Decrypt', context: VIA_SM, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'an undeclared role of the account directly', principal: 'arn:aws:iam::111111111111:role/Undeclared', key: db.encryptionKey, action: 'kms:Decrypt', extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('aws-cdk-lib\'s grantRead on the managed secret also reaches the key through Secrets Manager only', async () => {
    const { app, stack, vpc } = newStack();
    const db = new EncryptedDatabaseInstance(stack, 'Db', { engine: POSTGRES, vpc });
    const role = lambdaRole(stack, 'Reader');
    db.secret.grantRead(role);
    app.synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'through Secrets Manager', principal: role, key: db.encryptionKey, action: 'kms:Decrypt', context: VIA_SM, expect: 'allow' },
      { label: 'directly', principal: role, key: db.encryptionKey, action: 'kms:Decrypt', expect: 'deny' },
    ]);
  });

  test('weakened defaults warn, each with its own id', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseInstance(stack, 'Weak', {
      engine: POSTGRES,
      vpc,
      requireTls: false,
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      enablePerformanceInsights: false,
      cloudwatchLogsExports: ['postgresql'],
    });
    const warnings = Annotations.fromStack(stack).findWarning('/S/Weak', Match.anyValue()).map(w => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('cdk-kms-patterns:databaseTlsNotRequired'),
      expect.stringContaining('cdk-kms-patterns:databaseDeletionProtection'),
      expect.stringContaining('cdk-kms-patterns:databaseRemovalPolicy'),
      expect.stringContaining('cdk-kms-patterns:databasePerformanceInsightsOff'),
      expect.stringContaining('cdk-kms-patterns:databaseLogExportsReduced'),
    ]));
    const template = Template.fromStack(stack);
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: false, EnablePerformanceInsights: false, PerformanceInsightsKMSKeyId: Match.absent(), EnableCloudwatchLogsExports: ['postgresql'] }),
    });
    expect(JSON.stringify(template.findResources('AWS::RDS::DBParameterGroup'))).not.toContain('rds.force_ssl');
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  test('no log exports: no log groups and no CloudWatch Logs statement', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseInstance(stack, 'Quiet', { engine: POSTGRES, vpc, cloudwatchLogsExports: [] });
    Template.fromStack(stack).resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::KMS::Key'))).not.toContain('logs.eu-west-1.amazonaws.com');
  });

  test.each([
    ['an Oracle engine', () => ({ engine: rds.DatabaseInstanceEngine.oracleSe2({ version: rds.OracleEngineVersion.VER_19_0_0_0_2020_04_R1 }) }),
      "engine must be one of postgres, mysql, mariadb, got 'oracle-se2'"],
    ['MySQL 5.6', () => ({ engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of('5.6.51', '5.6') }) }),
      "engine must be MySQL 5.7 or later: require_secure_transport, which makes the database require TLS, exists from 5.7, got 'mysql 5.6.51'"],
    ['MariaDB 10.4', () => ({ engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.of('10.4.34', '10.4') }) }),
      "engine must be MariaDB 10.5 or later: require_secure_transport, which makes the database require TLS, exists from 10.5, got 'mariadb 10.4.34'"],
    ['a previous-generation class', () => ({ instanceType: new ec2.InstanceType('m1.large') }),
      "instanceType must be a current-generation instance class: RDS cannot encrypt db.m1, db.m2 and db.t1 instances, got 'm1.large'"],
    ['an HMAC key', (s: Stack) => ({ encryptionKey: new EncryptionKey(s, 'Mac', { keySpec: kms.KeySpec.HMAC_256 }) }),
      "encryptionKey must be a SYMMETRIC_DEFAULT key (RDS supports only symmetric keys), got 'HMAC_256'"],
    ['a key of another Region', (s: Stack) => ({ encryptionKey: EncryptionKey.fromKeyArn(s, 'Far', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab') }),
      "encryptionKey must be a key in the stack's Region eu-west-1 (RDS uses keys of its own Region only), got 'us-east-1'"],
    ['a parameter that turns TLS off', () => ({ parameters: { 'rds.force_ssl': '0' } }),
      "parameters['rds.force_ssl'] must be 1 (TLS required); set requireTls: false to allow connections without TLS, got '0'"],
    ['an unknown log type', () => ({ cloudwatchLogsExports: ['slowquery'] }), "cloudwatchLogsExports must list log types of postgres (postgresql, upgrade), got 'slowquery'"],
    ['an invalid identifier', () => ({ instanceIdentifier: 'orders--db' }),
      "instanceIdentifier must be 1 to 63 letters, digits or hyphens, start with a letter, and have no trailing or consecutive hyphens, got 'orders--db'"],
    ['backups turned off', () => ({ backupRetention: Duration.days(0) }), 'backupRetention must be between 1 and 35 days, got 0'],
    ['too little storage', () => ({ allocatedStorage: 10 }), 'allocatedStorage must be a whole number of GiB from 20 to 65536, got 10'],
    ['the audit log on MySQL without a version', () => ({ engine: rds.DatabaseInstanceEngine.MYSQL }),
      "engine must name a version when the audit log is exported: the MARIADB_AUDIT_PLUGIN option group needs the major version (or leave audit out of cloudwatchLogsExports), got 'mysql'"],
    ['the audit log on MySQL 8.0.25 (MARIADB_AUDIT_PLUGIN from 8.0.28: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.MySQL.Options.html)',
      () => ({ engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of('8.0.25', '8.0') }) }),
      "engine must be MySQL 8.0.28 or later to export the audit log (the MARIADB_AUDIT_PLUGIN option exists from 8.0.28); or leave audit out of cloudwatchLogsExports, got 'mysql 8.0.25'"],
  ])('refuses %s before creating anything', (_name, overrides, message) => {
    const { stack, vpc } = newStack();
    const props = { engine: POSTGRES, vpc, ...overrides(stack) } as EncryptedDatabaseInstanceProps;
    const before = stack.node.findAll().length;
    expect(() => new EncryptedDatabaseInstance(stack, 'Db', props)).toThrow(message);
    expect(stack.node.tryFindChild('Db')).toBeUndefined();
    expect(stack.node.findAll().length).toBe(before);
  });

  test('MySQL writes the logs it exports: general_log, slow_query_log, log_output=FILE and the MARIADB_AUDIT_PLUGIN option', () => {
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.MySQLDB.PublishtoCloudWatchLogs.html
    const { stack, vpc } = newStack();
    const db = new EncryptedDatabaseInstance(stack, 'Shop', { engine: MYSQL, vpc });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Parameters: { require_secure_transport: 'ON', general_log: '1', slow_query_log: '1', log_output: 'FILE' },
    });
    template.hasResourceProperties('AWS::RDS::OptionGroup', { EngineName: 'mysql', MajorEngineVersion: '8.0', OptionConfigurations: [{ OptionName: 'MARIADB_AUDIT_PLUGIN' }] });
    template.hasResourceProperties('AWS::RDS::DBInstance', { OptionGroupName: { Ref: Match.stringLikeRegexp('^ShopOptions') } });
    expect(db.optionGroup).toBeDefined();
  });

  test('MySQL without the audit and general logs: no option group, no general_log; PostgreSQL: no MySQL log parameters', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseInstance(stack, 'Shop', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of('8.0.25', '8.0') }), vpc, cloudwatchLogsExports: ['error', 'slowquery'],
    });
    const pg = new EncryptedDatabaseInstance(stack, 'Orders', { engine: POSTGRES, vpc });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::RDS::OptionGroup', 0);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mysql8.0', Parameters: { require_secure_transport: 'ON', slow_query_log: '1', log_output: 'FILE' } });
    expect(JSON.stringify(template.findResources('AWS::RDS::DBParameterGroup'))).not.toContain('general_log');
    expect(pg.optionGroup).toBeUndefined();
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres16', Parameters: { 'rds.force_ssl': '1' } });
  });

  test.each([
    ['MySQL', 't3.micro'], ['MySQL', 't4g.small'], ['MariaDB', 't2.small'],
  ])('refuses Performance Insights on %s %s (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html)', (name, size) => {
    const engine = name === 'MySQL' ? MYSQL : rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 });
    const { stack, vpc } = newStack();
    expect(() => new EncryptedDatabaseInstance(stack, 'Db', { engine, vpc, instanceType: new ec2.InstanceType(size) })).toThrow(
      `instanceType must be an instance class with Performance Insights: ${engine.engineType} has none on db.t2, db.t3 and db.t4g micro and small; `
      + `pick a larger class or set enablePerformanceInsights: false, got '${size}'`);
    expect(stack.node.tryFindChild('Db')).toBeUndefined();
  });

  test('small classes are accepted with Performance Insights off (MySQL) or on an engine that has it there (PostgreSQL), and medium ones with it on', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseInstance(stack, 'Off', { engine: MYSQL, vpc, instanceType: new ec2.InstanceType('t3.micro'), enablePerformanceInsights: false });
    new EncryptedDatabaseInstance(stack, 'Pg', { engine: POSTGRES, vpc, instanceType: new ec2.InstanceType('t3.micro') });
    new EncryptedDatabaseInstance(stack, 'Medium', { engine: MYSQL, vpc, instanceType: new ec2.InstanceType('t3.medium') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t3.medium', EnablePerformanceInsights: true });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t3.micro', EnablePerformanceInsights: true });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t3.micro', EnablePerformanceInsights: false });
  });

  test('MariaDB 10.11 is accepted with require_secure_transport', () => {
    const { stack, vpc } = newStack();
    new EncryptedDatabaseInstance(stack, 'Maria', { engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 }), vpc });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { require_secure_transport: 'ON' } });
  });
});

describe('EncryptedDatabaseInstance service requests (the model\'s RDS, Secrets Manager and CloudWatch Logs rows)', () => {
  const app = new App();
  const stack = new Stack(app, 'Databases', { env: ENV });
  const vpc = isolatedVpc(stack);
  const db = new EncryptedDatabaseInstance(stack, 'Orders', { engine: POSTGRES, vpc });
  const secretReader = lambdaRole(stack, 'SecretReader');
  const analyst = lambdaRole(stack, 'Analyst');
  db.grantSecretRead(secretReader);
  db.grantPerformanceInsightsRead(analyst);
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  const label = `EncryptedDatabaseInstance ${db.node.path}`;
  const rows = [
    ...serviceAccessRows(world, {
      label: `${label} (RDS)`,
      key: db.encryptionKey,
      account: stack.account,
      region: stack.region,
      services: ['rds'],
      flags: ['performanceInsights'],
      facts: { dbResourceId: world.resolve(db.instance.instanceResourceId!, db.instance) as string },
      // the deployer creates the instance, and its final snapshot on delete (CreateDBSnapshot, the model's copy rows);
      // undeclared roles are denied the same requests
      actors: [
        deployer(stack, ['create', 'copy']),
        { label: 'grantPerformanceInsightsRead principal', principal: analyst, steps: ['read'] },
      ],
    }),
    ...serviceAccessRows(world, {
      label: `${label} (RDS-managed master secret)`,
      key: db.encryptionKey,
      account: stack.account,
      region: stack.region,
      services: ['secretsmanager'],
      facts: {
        secretArn: world.resolve(db.secret.secretArn, db.instance) as string,
        secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
        pendingVersionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2',
      },
      actors: [
        deployer(stack, ['create']),
        { label: 'grantSecretRead principal', principal: secretReader, steps: ['read'] },
      ],
    }),
    ...['postgresql', 'upgrade'].flatMap(log => serviceAccessRows(world, {
      label: `${label} (log group ${log})`,
      key: db.encryptionKey,
      account: stack.account,
      region: stack.region,
      services: ['logs'],
      facts: { logGroupArn: `arn:aws:logs:{region}:{account}:log-group:/aws/rds/instance/${db.instanceIdentifier}/${log}` },
      actors: [],
    })),
  ];
  defineServiceChecks(world, [...rows, ...keyDeploymentRows(world)], stats);
});
