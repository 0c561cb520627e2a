import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey, KeyCapability, KeyService } from '../../src';
import { parseKeyPolicy } from '../../src/compliance/policy-parser';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function policyOf(stack: Stack): any {
  const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')) as any[];
  return stack.resolve(keys[0].Properties.KeyPolicy);
}

describe('parseKeyPolicy', () => {
  test('reads the library\'s own policy back into the entries it was rendered from', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantThroughService(role, KeyService.EC2, KeyCapability.ENVELOPE, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    const parsed = parseKeyPolicy(policyOf(stack));
    expect(parsed.unparsed).toEqual([]);
    expect(parsed.denies).toEqual([]);
    expect(parsed.entries.map(e => e.label)).toEqual(['EnvelopeViaEc2', 'GrantsForAwsResourcesViaEc2', 'DeployEncryptedResources',
      'DeployEncryptedResourcesGrants', 'Administer']);
    const grants = parsed.entries.find(e => e.label === 'GrantsForAwsResourcesViaEc2')!;
    expect(grants.actions).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(grants.conditions!.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    expect(grants.allActions).toBe(false);
  });

  test('aws-cdk-lib\'s default key policy: the account root with every action, written out', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    new kms.Key(stack, 'Key');
    const [entry] = parseKeyPolicy(policyOf(stack)).entries;
    expect(entry.allActions).toBe(true);
    expect(entry.principalType).toBe('AWS');
    expect(entry.actions).toContain('kms:PutKeyPolicy');
    expect(entry.actions).toContain('kms:Decrypt');
    expect(entry.actions).not.toContain('kms:*');
  });

  test('Principal * is its own entry; NotAction and Deny are kept aside', () => {
    const parsed = parseKeyPolicy({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': '111111111111' } } },
        { Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, NotAction: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { Service: ['logs.amazonaws.com', 'events.amazonaws.com'] }, Action: 'kms:GenerateDataKey*', Resource: '*' },
      ],
    });
    expect(parsed.entries.map(e => [e.index, e.principalType, e.principals])).toEqual([
      [0, '*', []], [1, '*', []], [4, 'Service', ['logs.amazonaws.com', 'events.amazonaws.com']],
    ]);
    expect(parsed.entries[2].actions).toEqual(['kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
      'kms:GenerateDataKeyWithoutPlaintext']);
    expect(parsed.unparsed).toHaveLength(1);
    expect(parsed.denies).toHaveLength(1);
  });
});
