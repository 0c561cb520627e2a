/**
 * The one grant path (src/policy/key-grants.ts): every entry point reaches the key policy and the
 * IAM policy through the same rules. Each test here failed before the path existed.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { EbsEncryptionByDefault, EncryptedBucket, EncryptionKey, KeyCapability, KeyService } from '../../src';
import { KeyAccessReportRegistry } from '../../src/compliance/key-access-report';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

function setup() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { app, stack, role };
}

function keyStatements(stack: Stack, index = 0): any[] {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
  return stack.resolve(keys[index].Properties.KeyPolicy).Statement;
}

/** The statements every key has: administration and deployment by the CloudFormation execution role. */
const DEPLOYER_SIDS = ['Administer', 'DeployEncryptedResources', 'DeployEncryptedResourcesGrants'];

function identityStatements(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('keys imported by alias keep their alias restriction on every entry point', () => {
  test.each([
    ['grantThroughService', (key: any, role: iam.IRole) => key.grantThroughService(role, KeyService.S3, KeyCapability.DECRYPT)],
    ['forService(...).grantDecrypt', (key: any, role: iam.IRole) => key.forService(KeyService.S3).grantDecrypt(role)],
    ['grant', (key: any, role: iam.IRole) => key.grant(role, 'kms:Decrypt')],
    ['grantCapabilities', (key: any, role: iam.IRole) => key.grantCapabilities(role, KeyCapability.DECRYPT)],
  ])('%s', (_name, grant) => {
    const { stack, role } = setup();
    const key = EncryptionKey.fromAliasName(stack, 'Shared', 'shared/data');
    grant(key, role);
    const statements = identityStatements(stack);
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition['ForAnyValue:StringEquals']).toEqual({ 'kms:ResourceAliases': 'alias/shared/data' });
  });

  test('an EncryptedBucket on an alias-imported key: readers decrypt with that key only', async () => {
    const { stack, role } = setup();
    const bucket = new EncryptedBucket(stack, 'Bucket', { encryptionKey: EncryptionKey.fromAliasName(stack, 'Shared', 'shared/data') });
    bucket.grantRead(role);
    const kmsStatements = identityStatements(stack).filter(s => [].concat(s.Action).some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThan(0);
    for (const statement of kmsStatements) {
      expect(statement.Condition['ForAnyValue:StringEquals']).toEqual({ 'kms:ResourceAliases': 'alias/shared/data' });
    }
  });
});

describe('imported keys: the report lists every statement the owner must add', () => {
  test('EBS encryption by default on an imported key', () => {
    const { app, stack } = setup();
    const key = EncryptionKey.fromKeyArn(stack, 'Ebs', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new EbsEncryptionByDefault(stack, 'Default', { encryptionKey: key });
    const report = KeyAccessReportRegistry.of(app).build();
    const sids = report.ownerStatements.map(o => o.statement.Sid).sort();
    // the handler's DescribeKey, the account through EC2 (use, and grants for AWS resources), and
    // the Auto Scaling service-linked role (use, and grants)
    expect(sids).toEqual(['AutoScalingServiceLinkedRole', 'AutoScalingServiceLinkedRoleGrants', 'Describe',
      'EbsByDefaultAccountGrantsThroughEc2', 'EbsByDefaultAccountThroughEc2']);
  });
});

describe('raw grants: wildcards written out, CreateGrant only for AWS resources, administration refused', () => {
  test('kms:* is refused: it holds administrative actions', () => {
    const { stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    expect(() => key.grant(role, 'kms:*')).toThrow(/grant: cannot grant kms:CancelKeyDeletion, .*kms:PutKeyPolicy.* on S\/Key .*administrative actions are given only to declared administrators/);
    expect(identityStatements(stack)).toHaveLength(0);
  });

  test('kms:Create* is refused (kms:CreateAlias)', () => {
    const { stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    expect(() => key.grant(role, 'kms:Create*')).toThrow(/cannot grant kms:CreateAlias/);
  });

  test('kms:createGrant (any case) is kms:CreateGrant for AWS resources only', () => {
    const { stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.grant(role, 'kms:createGrant', 'kms:generateDataKey*');
    const statements = keyStatements(stack).filter(s => !DEPLOYER_SIDS.includes(s.Sid));
    const createGrant = statements.find(s => s.Action === 'kms:CreateGrant');
    expect(createGrant.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    const other = statements.find(s => s.Action !== 'kms:CreateGrant');
    expect(other.Action).toEqual(['kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext']);
    expect(other.Condition).toBeUndefined();
    const iamCreateGrant = identityStatements(stack).find(s => s.Action === 'kms:CreateGrant');
    expect(iamCreateGrant.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
  });

  test('a non-KMS action is refused', () => {
    const { stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    expect(() => key.grant(role, 's3:GetObject')).toThrow(/'s3:GetObject' is not a KMS action/);
  });
});

describe('statements other constructs add', () => {
  test('ECS execute command (account root, kms:*) is refused, naming the opt-in', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    const cluster = new ecs.Cluster(stack, 'Cluster', {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 }),
      executeCommandConfiguration: { kmsKey: key },
    });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('nginx') });
    expect(() => new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: task, enableExecuteCommand: true }))
      .toThrow(/aws-cdk-lib aws-ecs\/lib\/base\/base-service.*asked to add \{"Action":"kms:\*".*\} for the whole account 111111111111 to the key policy of S\/Key.*allowAccountWideStatements: true/);
  });

  test('with allowAccountWideStatements it is accepted, narrowed to cryptographic actions, with a warning', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key', { allowAccountWideStatements: true });
    key.addToResourcePolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'], principals: [new iam.AccountRootPrincipal()] }));
    const statements = keyStatements(stack).filter(s => !DEPLOYER_SIDS.includes(s.Sid));
    const actions = statements.flatMap(s => [].concat(s.Action));
    expect(actions).not.toContain('kms:PutKeyPolicy');
    expect(actions).not.toContain('kms:*');
    expect(actions).toContain('kms:Decrypt');
    expect(statements.find(s => s.Action === 'kms:CreateGrant').Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    Annotations.fromStack(stack).hasWarning('/S/Key', Match.stringLikeRegexp('accepted by allowAccountWideStatements'));
  });

  test('route53 DNSSEC: boolean conditions from aws-cdk-lib merge with the library\'s', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new EncryptionKey(stack, 'Key', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    zone.enableDnssec({ kmsKey: key });
    const statements = keyStatements(stack);
    const createGrant = statements.find(s => ([] as string[]).concat(s.Action).includes('kms:CreateGrant'));
    expect(createGrant.Condition.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    for (const statement of statements.filter(s => s.Principal.Service)) {
      const keys = Object.values(statement.Condition as Record<string, object>).flatMap(pairs => Object.keys(pairs));
      expect(keys.some(k => k === 'aws:SourceAccount' || k === 'aws:SourceArn')).toBe(true);
    }
  });

  test('wildcards in another construct\'s statement are written out', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: ['*'], principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
    }));
    const statement = keyStatements(stack).find(s => s.Principal.Service === 's3.amazonaws.com');
    expect(statement.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
      'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext']);
  });
});

describe('service principals act only on behalf of the key\'s account', () => {
  test.each([
    ['a grant to a ServicePrincipal', (key: EncryptionKey) => key.grantDecrypt(new iam.ServicePrincipal('delivery.logs.amazonaws.com'))],
    ['KeyAccess.principals', (key: EncryptionKey) => key.addAccess({ capabilities: [KeyCapability.DECRYPT], principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')] })],
    ['addToResourcePolicy', (key: EncryptionKey) => key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'], resources: ['*'], principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
    }))],
  ])('%s carries aws:SourceAccount, and another account\'s request is denied', async (_name, grant) => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    grant(key);
    const statement = keyStatements(stack).find(s => s.Principal.Service === 'delivery.logs.amazonaws.com');
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111111111111' } });
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'own account', principal: 'delivery.logs.amazonaws.com', action: 'kms:Decrypt', key, context: { 'aws:SourceAccount': '111111111111' }, expect: 'allow' },
      { label: 'confused deputy', principal: 'delivery.logs.amazonaws.com', action: 'kms:Decrypt', key, context: { 'aws:SourceAccount': '999999999999' }, expect: 'deny' },
    ]);
  });
});

describe('the lockout safety check', () => {
  test('deploymentRoleAdministers false without the deployer among the administrators fails synth', () => {
    const { app, stack, role } = setup();
    new EncryptionKey(stack, 'Key', { deploymentRoleAdministers: false, administrators: [role] });
    expect(() => app.synth()).toThrow(/KMS would refuse to create key S\/Key: its lockout safety check requires the principal that creates it, the CloudFormation execution role .*cfn-exec-role.*deploymentRoleAdministers is false/);
  });

  test('the deployer named among the administrators passes', () => {
    const { app, stack } = setup();
    const deployer = new iam.ArnPrincipal(`arn:${stack.partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1`);
    new EncryptionKey(stack, 'Key', { deploymentRoleAdministers: false, administrators: [deployer] });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('principals KMS rejects are refused before anything is written', () => {
  test.each([
    ['an IAM group', (s: Stack) => new iam.Group(s, 'Group'), /S\/Group is an IAM group, which a key policy cannot name/],
    ['an account wildcard', () => new iam.ArnPrincipal('arn:aws:iam::*:root'), /has a wildcard, which KMS rejects/],
    ['a role wildcard', () => new iam.ArnPrincipal('arn:aws:iam::111111111111:role/*'), /has a wildcard, which KMS rejects/],
  ])('%s', (_name, make, message) => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    const principal = make(stack) as iam.IGrantable & iam.IPrincipal;
    expect(() => key.grantDecrypt(principal.grantPrincipal ? principal : { grantPrincipal: principal } as any)).toThrow(message);
    expect(keyStatements(stack).filter(s => !DEPLOYER_SIDS.includes(s.Sid))).toHaveLength(0);
    expect(identityStatements(stack)).toHaveLength(0);
  });
});

describe('principalArnPatterns', () => {
  test('sts assumed-role patterns are refused (aws:PrincipalArn is the role ARN)', () => {
    const { stack } = setup();
    expect(() => new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principalArnPatterns: ['arn:aws:sts::111111111111:assumed-role/app/*'] }],
    })).toThrow(/access\[0\].principalArnPatterns must be IAM ARN patterns: aws:PrincipalArn of a role session is the role's ARN/);
  });

  test('a pattern with the account as a token names that account', () => {
    const { stack } = setup();
    new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principalArnPatterns: [`arn:aws:iam::${stack.account}:role/app/*`] }],
    });
    const use = keyStatements(stack).find(s => s.Sid === 'Use');
    expect(use.Condition.StringEquals['aws:PrincipalAccount']).toBe('111111111111');
  });

  test('matching roles need their own IAM allow; others of the account, and other accounts, are denied', async () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key', {
      access: [{ capabilities: [KeyCapability.DECRYPT], principalArnPatterns: ['arn:aws:iam::111111111111:role/app/*'] }],
    });
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'matching role with IAM allow', principal: 'arn:aws:iam::111111111111:role/app/reader', action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'matching role without IAM allow', principal: 'arn:aws:iam::111111111111:role/app/reader', action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'other role', principal: 'arn:aws:iam::111111111111:role/other', action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'same path, other account', principal: 'arn:aws:iam::222222222222:role/app/reader', action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });
});

describe('allowCloudTrail for organization trails and other accounts\' trails', () => {
  test('the encryption context names the trail\'s account, not the key\'s', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.allowCloudTrail({ trailArn: 'arn:aws:cloudtrail:eu-west-1:999999999999:trail/org-trail' });
    const encrypt = keyStatements(stack).find(s => s.Sid === 'CloudTrailEncryptLogs');
    expect(JSON.stringify(encrypt.Condition.StringLike)).toContain(':cloudtrail:*:999999999999:trail/*');
    expect(encrypt.Condition.ArnLike).toEqual({ 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:999999999999:trail/org-trail' });
  });

  test('trailAccount alone', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    key.allowCloudTrail({ trailAccount: '999999999999' });
    const encrypt = keyStatements(stack).find(s => s.Sid === 'CloudTrailEncryptLogs');
    expect(JSON.stringify(encrypt.Condition.StringLike)).toContain(':cloudtrail:*:999999999999:trail/*');
    expect(JSON.stringify(encrypt.Condition.ArnLike)).toContain(':cloudtrail:eu-west-1:999999999999:trail/*');
  });

  test('a trailAccount that contradicts trailArn is refused', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    expect(() => key.allowCloudTrail({ trailArn: 'arn:aws:cloudtrail:eu-west-1:999999999999:trail/t', trailAccount: '888888888888' }))
      .toThrow(/trailAccount must match the account of trailArn \(999999999999\), got '888888888888'/);
  });
});

describe('EBS encryption by default', () => {
  test('warns on the key that every principal of the account may use it through EC2', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    new EbsEncryptionByDefault(stack, 'Default', { encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/S/Key', Match.stringLikeRegexp('every principal of account 111111111111 may create, attach and copy EBS volumes'));
  });

  test('one per account and Region across stacks', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    new EbsEncryptionByDefault(a, 'Default', { encryptionKey: new EncryptionKey(a, 'Key') });
    expect(() => new EbsEncryptionByDefault(b, 'Default', { encryptionKey: new EncryptionKey(b, 'Key') }))
      .toThrow(/EbsEncryptionByDefault B\/Default: account 111111111111 in eu-west-1 already has one \(A\/Default\)/);
  });
});

describe('grants whose principal statement another construct extends', () => {
  test('aws-cdk-lib ec2.Volume from a snapshot: its kms:ReEncrypt* reaches the key policy, written out', () => {
    const { stack } = setup();
    const key = new EncryptionKey(stack, 'Key');
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', snapshotId: 'snap-1234567890abcdef0', encrypted: true, encryptionKey: key });
    const actions = keyStatements(stack).filter(s => !DEPLOYER_SIDS.includes(s.Sid)).flatMap(s => [].concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext']));
  });
});

describe('the key policy, once read', () => {
  test('a grant after reading keyPolicy is refused, not lost', () => {
    const { stack, role } = setup();
    const key = new EncryptionKey(stack, 'Key');
    expect(key.keyPolicy.statementCount).toBeGreaterThan(0);
    expect(() => key.grantEncrypt(role)).toThrow(/cannot add Encrypt to the key policy: the key policy of S\/Key was already rendered \(at synth, or by reading keyPolicy\)/);
  });

  test('keys that are not symmetric get no deployment statement: services use none of those actions on them', () => {
    const { stack } = setup();
    new EncryptionKey(stack, 'Key', { keySpec: kms.KeySpec.HMAC_256 });
    expect(keyStatements(stack).map(s => s.Sid)).toEqual(['Administer']);
  });
});
