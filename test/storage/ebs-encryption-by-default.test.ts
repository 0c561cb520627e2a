import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EbsEncryptionByDefault, EncryptionKey } from '../../src';
import { formatFindings, nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

describe('EbsEncryptionByDefault', () => {
  test('a custom resource with the key, a least-privilege handler, the account through EC2, no findings', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    new EbsEncryptionByDefault(stack, 'Default', { encryptionKey: key });
    app.synth();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::EbsEncryptionByDefault', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['ec2:DisableEbsEncryptionByDefault', 'ec2:EnableEbsEncryptionByDefault', 'ec2:GetEbsDefaultKmsKeyId',
            'ec2:GetEbsEncryptionByDefault', 'ec2:ModifyEbsDefaultKmsKeyId', 'ec2:ResetEbsDefaultKmsKeyId'],
          Effect: 'Allow',
          Resource: '*',
        }]),
      },
    });
    const findings = nagFindings(stack);
    if (findings.length > 0) throw new Error(formatFindings(findings));
    const via = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      {
        label: 'any role of the account launches through EC2',
        principal: 'arn:aws:iam::111111111111:role/Anyone',
        key,
        action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
        context: via,
        expect: 'allow',
      },
      {
        label: 'grants for volumes',
        principal: 'arn:aws:iam::111111111111:role/Anyone',
        key,
        action: 'kms:CreateGrant',
        context: { ...via, 'kms:GrantIsForAWSResource': 'true' },
        expect: 'allow',
      },
      {
        label: 'grants for principals',
        principal: 'arn:aws:iam::111111111111:role/Anyone',
        key,
        action: 'kms:CreateGrant',
        context: { ...via, 'kms:GrantIsForAWSResource': 'false' },
        expect: 'deny',
      },
      {
        label: 'directly, even with kms:*',
        principal: 'arn:aws:iam::111111111111:role/Anyone',
        key,
        action: ['kms:Decrypt', 'kms:Encrypt'],
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
      {
        label: 'another account through EC2',
        principal: 'arn:aws:iam::222222222222:role/Anyone',
        key,
        action: 'kms:Decrypt',
        context: via,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
    ]);
  });

  test('without account access: a warning names what every launcher needs', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new EbsEncryptionByDefault(stack, 'Default', { encryptionKey: new EncryptionKey(stack, 'Key'), allowAccountThroughEc2: false });
    Annotations.fromStack(stack).hasWarning('/S/Default', Match.stringLikeRegexp('allowAccountThroughEc2 is false'));
  });

  test.each([
    ['an RSA key', (s: Stack) => new EbsEncryptionByDefault(s, 'D', { encryptionKey: new EncryptionKey(s, 'K', { keySpec: kms.KeySpec.RSA_2048 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key/],
    ['a key of another Region', (s: Stack) => new EbsEncryptionByDefault(s, 'D', {
      encryptionKey: EncryptionKey.fromKeyArn(s, 'K', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }), /encryptionKey must be a key in the stack's Region eu-west-1 \(EBS uses keys of its own Region only\), got 'us-east-1'/],
    ['two in one stack', (s: Stack) => {
      const key = new EncryptionKey(s, 'K');
      new EbsEncryptionByDefault(s, 'First', { encryptionKey: key });
      new EbsEncryptionByDefault(s, 'D', { encryptionKey: key });
    }, /account 111111111111 in eu-west-1 already has one \(S\/First\); one is allowed per account and Region/],
  ])('refuses %s', (_name, create, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => create(stack)).toThrow(message);
    expect(stack.node.tryFindChild('D')).toBeUndefined();
  });
});
