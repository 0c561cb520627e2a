import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EncryptionKey, KeyAuditTrail, KeyAuditTrailProps } from '../../src';
import { nagFindings } from '../harness/compliance';
import { ServiceAccessStats, runServiceAccess, serviceAccessRows } from '../harness/service-access';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const ENV = { account: ACCOUNT, region: REGION };
const OTHER = '222222222222';

function keyStatements(stack: Stack, keyLogicalPrefix: string): any[] {
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  const id = Object.keys(keys).find(k => k.startsWith(keyLogicalPrefix));
  if (!id) throw new Error(`no key ${keyLogicalPrefix}`);
  return keys[id].Properties.KeyPolicy.Statement;
}

describe('KeyAuditTrail', () => {
  const app = new App();
  const stack = new Stack(app, 'Audit', { env: ENV });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
  const trail = new KeyAuditTrail(stack, 'Trail', { trailName: 'key-audit', logReaders: [reader] });
  app.synth();
  const template = Template.fromStack(stack);
  const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/key-audit`;
  const logGroupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/key-audit`;
  const partition = (tail: string): any => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, tail]] });

  test('a multi-Region trail of management events with log file validation, under the key, to the bucket and the log group', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      TrailName: 'key-audit',
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] },
      S3BucketName: { Ref: Match.stringLikeRegexp('^TrailBucket') },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailLogGroup'), 'Arn'] },
      AdvancedEventSelectors: Match.absent(),
      IsOrganizationTrail: Match.absent(),
    });
    expect(trail.trailArn).toContain(':trail/key-audit');
  });

  test('the log group: under the key, a year, retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { LogGroupName: '/aws/cloudtrail/key-audit', RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] } },
    });
  });

  test('the bucket: SSE-KMS with the key (no Bucket Key), retained; CloudTrail may write only for this trail', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: false,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailKey'), 'Arn'] } },
          }],
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AWSCloudTrailAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:GetBucketAcl',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailBucket'), 'Arn'] },
            Condition: { ArnLike: { 'aws:SourceArn': [partition(`:cloudtrail:${REGION}:${ACCOUNT}:trail/key-audit`)] } },
          },
          {
            Sid: 'AWSCloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^TrailBucket'), 'Arn'] }, `/AWSLogs/${ACCOUNT}/*`]] },
            Condition: {
              ArnLike: { 'aws:SourceArn': partition(`:cloudtrail:${REGION}:${ACCOUNT}:trail/key-audit`) },
              StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' },
            },
          },
        ]),
      },
    });
  });

  test('the key policy: CloudTrail exactly as documented, once; CloudWatch Logs for this log group, once; readers through S3', () => {
    const statements = keyStatements(stack, 'TrailKey');
    const trailStatements = statements.filter(s => s.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(trailStatements).toEqual([
      {
        Sid: 'CloudTrailEncryptLogs',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
        Resource: '*',
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/key-audit` },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
        },
      },
      {
        Sid: 'CloudTrailDescribeKey',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:DescribeKey',
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/key-audit` } },
      },
    ]);
    const logsStatements = statements.filter(s => s.Principal?.Service === `logs.${REGION}.amazonaws.com`);
    expect(logsStatements).toHaveLength(1);
    expect(logsStatements[0].Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/key-audit` } });
    expect(statements.find(s => s.Sid === 'CloudTrailLogReaders')).toEqual({
      Sid: 'CloudTrailLogReaders',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(reader.node.defaultChild as iam.CfnRole), 'Arn'] } },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' },
        StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
      },
    });
  });

  describe('simulation: CloudTrail, CloudWatch Logs and log readers against the service request model', () => {
    const world = PolicyWorld.fromStacks([stack]);
    const stats = new ServiceAccessStats();
    afterAll(() => console.log(stats.summary('test/audit/key-audit-trail.test.ts')));
    const rows = serviceAccessRows(world, {
      label: 'KeyAuditTrail',
      key: trail.encryptionKey,
      account: ACCOUNT,
      region: REGION,
      services: ['cloudtrail', 'logs'],
      facts: { trailArn: 'arn:aws:cloudtrail:{region}:{account}:trail/key-audit', logGroupArn: 'arn:aws:logs:{region}:{account}:log-group:/aws/cloudtrail/key-audit' },
      actors: [{ label: 'log reader', principal: reader, steps: ['read'] }],
    });

    test('the model: services and the reader allowed; foreign sources, undeclared and other-account principals denied', async () => {
      expect(await runServiceAccess(world, rows, stats)).toBeGreaterThan(15);
      expect(stats.mismatches).toBe(0);
      expect(stats.deniedToUndeclared).toBe(stats.undeclaredRequests);
    });

    test('another account\'s trail, another trail, a missing source, a wrong encryption context: denied', async () => {
      const key = trail.encryptionKey;
      const ec = (arn: string): Record<string, string> => ({ 'kms:EncryptionContext:aws:cloudtrail:arn': arn });
      await expectAccess(world, [
        { label: 'this trail', principal: 'cloudtrail.amazonaws.com', key, action: 'kms:GenerateDataKey', context: { ...ec(trailArn), 'aws:SourceArn': trailArn }, expect: 'allow' },
        {
          label: 'a trail of another account',
          principal: 'cloudtrail.amazonaws.com',
          key,
          action: ['kms:GenerateDataKey', 'kms:DescribeKey'],
          context: { ...ec(`arn:aws:cloudtrail:${REGION}:${OTHER}:trail/key-audit`), 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${OTHER}:trail/key-audit` },
          expect: 'deny',
        },
        {
          label: 'another trail of the account',
          principal: 'cloudtrail.amazonaws.com',
          key,
          action: ['kms:GenerateDataKey', 'kms:DescribeKey'],
          context: { ...ec(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other`), 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other` },
          expect: 'deny',
        },
        { label: 'no source ARN', principal: 'cloudtrail.amazonaws.com', key, action: ['kms:GenerateDataKey', 'kms:DescribeKey'], context: ec(trailArn), expect: 'deny' },
        { label: 'no encryption context', principal: 'cloudtrail.amazonaws.com', key, action: 'kms:GenerateDataKey', context: { 'aws:SourceArn': trailArn }, expect: 'deny' },
        {
          label: 'an encryption context of another account',
          principal: 'cloudtrail.amazonaws.com',
          key,
          action: 'kms:GenerateDataKey',
          context: { ...ec(`arn:aws:cloudtrail:${REGION}:${OTHER}:trail/x`), 'aws:SourceArn': trailArn },
          expect: 'deny',
        },
        { label: 'CloudTrail may not decrypt', principal: 'cloudtrail.amazonaws.com', key, action: 'kms:Decrypt', context: { ...ec(trailArn), 'aws:SourceArn': trailArn }, expect: 'deny' },
        { label: 'logs: this log group', principal: `logs.${REGION}.amazonaws.com`, key, action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn }, expect: 'allow' },
        {
          label: 'logs: another log group',
          principal: `logs.${REGION}.amazonaws.com`,
          key,
          action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app` },
          expect: 'deny',
        },
        { label: 'logs: no encryption context', principal: `logs.${REGION}.amazonaws.com`, key, action: 'kms:Decrypt', expect: 'deny' },
        {
          label: 'reader: a log file through S3',
          principal: reader,
          key,
          action: 'kms:Decrypt',
          context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, ...ec(trailArn) },
          expect: 'allow',
        },
        {
          label: 'reader: another S3 object under the key (no CloudTrail context)',
          principal: reader,
          key,
          action: 'kms:Decrypt',
          context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/k' },
          expect: 'deny',
        },
        { label: 'reader: directly', principal: reader, key, action: 'kms:Decrypt', context: ec(trailArn), expect: 'deny' },
      ]);
    });
  });

  test('cdk-nag and KmsChecks: only the reader\'s own policy (the user\'s role) remains; the bucket\'s replication is acknowledged', () => {
    expect([...new Set(nagFindings(stack).map(f => `${f.ruleId.replace(/\[.*/, '')} ${f.resourcePath}`))].sort()).toEqual([
      'AwsSolutions-IAM5 Audit/Reader/DefaultPolicy/Resource',
      'HIPAA.Security-IAMNoInlinePolicy Audit/Reader/DefaultPolicy/Resource',
      'NIST.800.53.R5-IAMNoInlinePolicy Audit/Reader/DefaultPolicy/Resource',
      'PCI.DSS.321-IAMNoInlinePolicy Audit/Reader/DefaultPolicy/Resource',
    ]);
  });

  test('no warnings with the defaults', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('KeyAuditTrail options', () => {
  test('an organization trail writes under the organization id too, for this trail only', () => {
    const stack = new Stack(new App(), 'Org', { env: ENV });
    new KeyAuditTrail(stack, 'Trail', { trailName: 'org-audit', organizationId: 'o-abcdefghij' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudTrail::Trail', { IsOrganizationTrail: true });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AWSCloudTrailWrite',
          Resource: [
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, `/AWSLogs/${ACCOUNT}/*`]] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, '/AWSLogs/o-abcdefghij/*']] },
          ],
        })]),
      },
    });
  });

  test('data events are added to the management events', () => {
    const stack = new Stack(new App(), 'Data', { env: ENV });
    new KeyAuditTrail(stack, 'Trail', {
      dataEventSelectors: [{ name: 'S3 objects', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }] }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudTrail::Trail', {
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        { Name: 'S3 objects', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
      ],
    });
  });

  test('a given key: the statements land in its policy, once (the references aspect skips the trail)', () => {
    const app = new App();
    const stack = new Stack(app, 'Given', { env: ENV });
    const key = new EncryptionKey(stack, 'AuditKey');
    new KeyAuditTrail(stack, 'Trail', { encryptionKey: key, trailName: 'given' });
    app.synth();
    const statements = keyStatements(stack, 'AuditKey');
    expect(statements.filter(s => s.Principal?.Service === 'cloudtrail.amazonaws.com').map(s => s.Sid)).toEqual(['CloudTrailEncryptLogs', 'CloudTrailDescribeKey']);
    expect(statements.filter(s => String(s.Principal?.Service).startsWith('logs.'))).toHaveLength(1);
  });

  test('a trail of another account (trail in account A, key in account B, trailAccount): allowed for that trail only (simulated)', async () => {
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    const app = new App();
    const keyStack = new Stack(app, 'KeyAccount', { env: { account: OTHER, region: REGION } });
    const key = new EncryptionKey(keyStack, 'SharedTrailKey');
    const trailArnA = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-audit`;
    key.allowCloudTrail({ trailAccount: ACCOUNT, trailArn: trailArnA });
    app.synth();
    const world = PolicyWorld.fromStacks([keyStack]);
    const ec = (arn: string): Record<string, string> => ({ 'kms:EncryptionContext:aws:cloudtrail:arn': arn });
    const third = '333333333333';
    await expectAccess(world, [
      { label: 'the trail of account A', principal: 'cloudtrail.amazonaws.com', key, action: ['kms:GenerateDataKey', 'kms:DescribeKey'], context: { ...ec(trailArnA), 'aws:SourceArn': trailArnA }, expect: 'allow' },
      {
        label: 'another trail of account A',
        principal: 'cloudtrail.amazonaws.com',
        key,
        action: ['kms:GenerateDataKey', 'kms:DescribeKey'],
        context: { ...ec(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other`), 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other` },
        expect: 'deny',
      },
      {
        label: 'a trail of a third account',
        principal: 'cloudtrail.amazonaws.com',
        key,
        action: 'kms:GenerateDataKey',
        context: { ...ec(`arn:aws:cloudtrail:${REGION}:${third}:trail/org-audit`), 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${third}:trail/org-audit` },
        expect: 'deny',
      },
      { label: 'the trail of A, no encryption context', principal: 'cloudtrail.amazonaws.com', key, action: 'kms:GenerateDataKey', context: { 'aws:SourceArn': trailArnA }, expect: 'deny' },
      { label: 'the trail of A, no source', principal: 'cloudtrail.amazonaws.com', key, action: 'kms:GenerateDataKey', context: ec(trailArnA), expect: 'deny' },
    ]);
  });

  test('an imported key: the statements are reported for the key owner, with a warning', () => {
    const stack = new Stack(new App(), 'Imported', { env: ENV });
    const key = EncryptionKey.fromKeyArn(stack, 'Key', `arn:aws:kms:${REGION}:${OTHER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    new KeyAuditTrail(stack, 'Trail', { encryptionKey: key, trailName: 'imported' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot be changed from here'));
    expect(warnings.map(w => String(w.entry.data))).toEqual(expect.arrayContaining([expect.stringContaining('cloudtrail.amazonaws.com')]));
  });

  test('RETAIN by default; DESTROY warns', () => {
    const stack = new Stack(new App(), 'Destroy', { env: ENV });
    new KeyAuditTrail(stack, 'Trail', { removalPolicy: RemovalPolicy.DESTROY, logRetention: logs.RetentionDays.TWO_YEARS });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 731 }) });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('removalPolicy is destroy'));
    expect(warnings.map(w => w.id).sort()).toEqual(['/Destroy/Trail', '/Destroy/Trail/Bucket']);
    expect(warnings.map(w => String(w.entry.data)).join()).toContain('the audit record goes with them');
  });

  test('a single-Region trail warns', () => {
    const stack = new Stack(new App(), 'One', { env: ENV });
    new KeyAuditTrail(stack, 'Trail', { multiRegion: false });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: false });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('multiRegion is false'))).toHaveLength(1);
  });

  test.each<[string, (s: Stack) => KeyAuditTrailProps, RegExp]>([
    ['a short trail name', () => ({ trailName: 'ab' }), /trailName must be 3 to 128 letters, digits, periods, underscores or dashes.*got 'ab'/],
    ['a trail name with adjacent separators', () => ({ trailName: 'a-_b' }), /trailName must be .*got 'a-_b'/],
    ['a malformed organization id', () => ({ organizationId: 'org-1' }), /organizationId must be an organization id .*got 'org-1'/],
    ['a selector of management events', () => ({ dataEventSelectors: [{ name: 'x', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] }] }),
      /dataEventSelectors must each select eventCategory equals \['Data'\].*got 'x'/],
    ['an HMAC key', (s) => ({ encryptionKey: new EncryptionKey(s, 'Hmac', { keySpec: kms.KeySpec.HMAC_256 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key \(CloudTrail supports only symmetric keys\), got 'HMAC_256'/],
  ])('refuses %s before creating anything', (_name, props, message) => {
    const stack = new Stack(new App(), 'Bad', { env: ENV });
    const resolved = props(stack);
    expect(() => new KeyAuditTrail(stack, 'Trail', resolved)).toThrow(message);
    expect(stack.node.tryFindChild('Trail')).toBeUndefined();
  });
});
