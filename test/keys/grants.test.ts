import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EncryptionKey, IEncryptionKey, KeyCapability } from '../../src';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function keyPolicy(stack: Stack): any[] {
  const keys = Object.values<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return stack.resolve(keys[0].Properties.KeyPolicy).Statement;
}

function identityActions(stack: Stack): string[][] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap(p => p.Properties.PolicyDocument.Statement)
    .map((s: any) => [].concat(s.Action));
}

const CDK_ENCRYPT = [
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
];

describe('grant methods', () => {
  const symmetric: Array<[string, (k: IEncryptionKey, g: iam.IGrantable) => iam.Grant, string[]]> = [
    // aws-cdk-lib's kms.IKey contract (kms:Encrypt, kms:ReEncrypt*, kms:GenerateDataKey*), written out
    ['grantEncrypt', (k, g) => k.grantEncrypt(g), [...CDK_ENCRYPT]],
    ['grantDecrypt', (k, g) => k.grantDecrypt(g), ['kms:Decrypt']],
    ['grantEncryptDecrypt', (k, g) => k.grantEncryptDecrypt(g), ['kms:Decrypt', ...CDK_ENCRYPT]],
    ['grantReEncrypt', (k, g) => k.grantReEncrypt(g), ['kms:ReEncryptFrom', 'kms:ReEncryptTo']],
    ['grantEnvelopeEncryption', (k, g) => k.grantEnvelopeEncryption(g), ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext']],
    ['grantGenerateDataKey', (k, g) => k.grantGenerateDataKey(g), ['kms:GenerateDataKey']],
    ['grantGenerateDataKeyWithoutPlaintext', (k, g) => k.grantGenerateDataKeyWithoutPlaintext(g), ['kms:GenerateDataKeyWithoutPlaintext']],
    ['grantGenerateDataKeyPair', (k, g) => k.grantGenerateDataKeyPair(g), ['kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext']],
    ['grantDescribe', (k, g) => k.grantDescribe(g), ['kms:DescribeKey']],
    ['grant (raw actions)', (k, g) => k.grant(g, 'kms:Encrypt', 'kms:DescribeKey'), ['kms:DescribeKey', 'kms:Encrypt']],
  ];

  test.each(symmetric)('%s writes the key policy and the IAM policy with the same actions', (_name, grant, actions) => {
    // GIVEN
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const result = grant(key, role);
    // THEN
    expect(result.success).toBe(true);
    const statement = keyPolicy(stack).find(s => s.Sid !== 'Administer');
    expect([].concat(statement.Action)).toEqual(actions);
    expect(statement.Principal).toEqual({ AWS: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] } });
    expect(identityActions(stack)).toEqual([actions]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } }] },
    });
  });

  const asymmetric: Array<[string, kms.KeySpec, kms.KeyUsage, (k: IEncryptionKey, g: iam.IGrantable) => iam.Grant, string[]]> = [
    ['grantSign', kms.KeySpec.RSA_2048, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantSign(g), ['kms:Sign']],
    ['grantVerify', kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantVerify(g), ['kms:Verify']],
    ['grantSignVerify', kms.KeySpec.ML_DSA_65, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantSignVerify(g), ['kms:Sign', 'kms:Verify']],
    ['grantGetPublicKey', kms.KeySpec.RSA_4096, kms.KeyUsage.ENCRYPT_DECRYPT, (k, g) => k.grantGetPublicKey(g), ['kms:GetPublicKey']],
    ['grantGenerateMac', kms.KeySpec.HMAC_256, kms.KeyUsage.GENERATE_VERIFY_MAC, (k, g) => k.grantGenerateMac(g), ['kms:GenerateMac']],
    ['grantVerifyMac', kms.KeySpec.HMAC_512, kms.KeyUsage.GENERATE_VERIFY_MAC, (k, g) => k.grantVerifyMac(g), ['kms:VerifyMac']],
    ['grantDeriveSharedSecret', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.KEY_AGREEMENT, (k, g) => k.grantDeriveSharedSecret(g), ['kms:DeriveSharedSecret']],
  ];

  test.each(asymmetric)('%s on %s/%s', (_name, keySpec, keyUsage, grant, actions) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key', { keySpec, keyUsage });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(key, role);
    expect([].concat(keyPolicy(stack).find(s => s.Sid !== 'Administer').Action)).toEqual(actions);
    expect(identityActions(stack)).toEqual([actions]);
  });

  test.each([
    ['grantSign on a symmetric key', (k: IEncryptionKey, g: iam.IGrantable) => k.grantSign(g), kms.KeySpec.SYMMETRIC_DEFAULT, /cannot grant SIGN on S\/Key: SIGN needs a key whose usage is SIGN_VERIFY/],
    ['grantEncrypt on an HMAC key', (k: IEncryptionKey, g: iam.IGrantable) => k.grantEncrypt(g), kms.KeySpec.HMAC_256, /cannot grant ENCRYPT on S\/Key/],
    ['grantGenerateDataKey on an RSA key', (k: IEncryptionKey, g: iam.IGrantable) => k.grantGenerateDataKey(g), kms.KeySpec.RSA_2048, /GENERATE_DATA_KEY needs a SYMMETRIC_DEFAULT key, this key is RSA_2048/],
    ['grantGetPublicKey on an HMAC key', (k: IEncryptionKey, g: iam.IGrantable) => k.grantGetPublicKey(g), kms.KeySpec.HMAC_224, /GET_PUBLIC_KEY needs an asymmetric key/],
    ['allowAutoScaling on an RSA key', (k: IEncryptionKey) => { k.allowAutoScaling(); return undefined as any; }, kms.KeySpec.RSA_2048, /allowAutoScaling: cannot grant ENVELOPE/],
  ])('%s is an error', (_name, grant, keySpec, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key', { keySpec });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => grant(key, role)).toThrow(message);
  });

  test('grantCapabilities with GRANT_FOR_AWS_RESOURCE adds kms:GrantIsForAWSResource on both sides', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    key.grantCapabilities(role, KeyCapability.ENVELOPE, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    const grants = keyPolicy(stack).find(s => JSON.stringify(s.Action).includes('kms:CreateGrant'));
    expect(grants.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(grants.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
          Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        })]),
      },
    });
    expect(() => key.grantCapabilities(role)).toThrow(/grantCapabilities needs at least one capability/);
  });

  test('grants to service principals go in the key policy only and still succeed', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const grant = key.grantEncryptDecrypt(new iam.ServicePrincipal('delivery.logs.amazonaws.com'));
    expect(grant.success).toBe(true);
    const statement = keyPolicy(stack).find(s => s.Sid === 'EncryptDecrypt');
    expect(statement.Principal).toEqual({ Service: 'delivery.logs.amazonaws.com' });
    expect(Template.fromStack(stack).findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('allowAutoScaling names the service-linked role by aws:PrincipalArn, never in Principal', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    key.allowAutoScaling();
    const statements = keyPolicy(stack).filter(s => s.Sid.startsWith('AutoScaling'));
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.Principal).toEqual({ AWS: '*' });
      expect(statement.Condition.ArnEquals['aws:PrincipalArn'])
        .toEqual('arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling');
      expect(statement.Condition.StringEquals['kms:CallerAccount']).toBe('111111111111');
    }
    expect(statements[1].Action).toBe('kms:CreateGrant');
    expect(statements[1].Condition.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    expect(() => key.allowAutoScaling({ roleSuffix: 'bad suffix!' })).toThrow(/roleSuffix must be 1 to 56 characters/);
  });

  test('aws-cdk-lib constructs that grant the whole account are warned about', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    Annotations.fromStack(stack).hasWarning('/S/Key', Match.stringLikeRegexp('granted to the whole account 111111111111 through "secretsmanager.eu-west-1.amazonaws.com"'));
  });
});

describe('grants across stacks, accounts and Regions', () => {
  test('a key with grantees in two other stacks: no circular dependency, the key stack depends on nobody', () => {
    // GIVEN
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const appA = new Stack(app, 'AppA', { env: ENV });
    const appB = new Stack(app, 'AppB', { env: ENV });
    const key = new EncryptionKey(keyStack, 'Key');
    const roleA = new iam.Role(appA, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const roleB = new iam.Role(appB, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), roleName: 'named-b', path: '/apps/' });
    // WHEN
    key.grantDecrypt(roleA);
    key.grantEncryptDecrypt(roleB);
    const assembly = app.synth();
    // THEN
    expect(keyStack.dependencies).toEqual([]);
    expect(appA.dependencies).toEqual([keyStack]);
    expect(appB.dependencies).toEqual([keyStack]);
    expect(assembly.getStackByName('Keys').dependencies.map(d => d.id).filter(id => !id.endsWith('.assets'))).toEqual([]);

    const policy = keyPolicy(keyStack);
    const decrypt = policy.find(s => s.Sid === 'Decrypt');
    expect(decrypt.Principal).toEqual({ AWS: 'arn:aws:iam::111111111111:root' });
    expect(decrypt.Condition.ArnEquals['aws:PrincipalArn']).toEqual('arn:aws:iam::111111111111:role/AppA-Role-C5A06364-eu-west-1');
    const encryptDecrypt = policy.find(s => s.Sid === 'EncryptDecrypt');
    expect(encryptDecrypt.Condition.ArnEquals['aws:PrincipalArn']).toEqual('arn:aws:iam::111111111111:role/apps/named-b');
    // the unnamed role got the name the key policy uses
    Template.fromStack(appA).hasResourceProperties('AWS::IAM::Role', { RoleName: 'AppA-Role-C5A06364-eu-west-1' });
    Template.fromStack(appB).hasResourceProperties('AWS::IAM::Role', { RoleName: 'named-b' });
    // IAM sides reference the key across stacks
    Template.fromStack(appA).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'kms:Decrypt', Resource: { 'Fn::ImportValue': Match.stringLikeRegexp('^Keys:ExportsOutput') } }] },
    });
  });

  test('another account: key policy limited to the role, IAM names the key by tag, no Resource *', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new EncryptionKey(keyStack, 'Key');
    const role = new iam.Role(partner, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantDecrypt(role);
    app.synth();
    const decrypt = keyPolicy(keyStack).find(s => s.Sid === 'Decrypt');
    expect(decrypt.Principal.AWS).toEqual('arn:aws:iam::222222222222:root');
    const tag = Template.fromStack(keyStack).toJSON().Resources;
    const tagValue = (Object.values<any>(tag).find(r => r.Type === 'AWS::KMS::Key')).Properties.Tags[0].Value;
    Template.fromStack(partner).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:key': tagValue } },
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] },
        }],
      },
    });
    expect(JSON.stringify(Template.fromStack(partner).toJSON())).not.toContain('"Resource":"*"');
  });

  test('another Region of the same account works the same way', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new EncryptionKey(keyStack, 'Key');
    const role = new iam.Role(other, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantEncrypt(role);
    app.synth();
    Template.fromStack(other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] } }] },
    });
  });

  test('operations KMS does not honour across accounts are refused', () => {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env: ENV });
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new EncryptionKey(keyStack, 'Key');
    const role = new iam.Role(partner, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => key.grant(role, 'kms:PutKeyPolicy')).toThrow(/cannot grant kms:PutKeyPolicy on Keys\/Key to a principal of account 222222222222: KMS does not honour these across accounts/);
    expect(() => new EncryptionKey(keyStack, 'Key2', { access: [{ capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'] }] })).not.toThrow();
  });

  test('administrators of another account can only inspect the key, with a warning', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new EncryptionKey(stack, 'Key', { administrators: [new iam.AccountPrincipal('333333333333')] });
    const inspect = keyPolicy(stack).find(s => s.Sid === 'InspectFromOtherAccount');
    expect(inspect.Action).toEqual(['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant']);
    Annotations.fromStack(stack).hasWarning('/S/Key', Match.stringLikeRegexp('can inspect but not administer'));
  });

  test('statements are merged: one statement for many principals with the same actions', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    for (let i = 0; i < 5; i++) {
      key.grantDecrypt(new iam.Role(stack, `Role${i}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
    }
    const decrypt = keyPolicy(stack).filter(s => s.Action === 'kms:Decrypt');
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0].Principal.AWS).toHaveLength(5);
  });
});
