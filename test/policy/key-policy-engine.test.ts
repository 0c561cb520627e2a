import { App, Aws, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey, KeyService } from '../../src';
import { KeyPolicyMode } from '../../src/policy/key-access';
import { KeyCapability } from '../../src/policy/key-capability';
import { validateKeyAccess } from '../../src/policy/key-policy-engine';
import { WarningIds } from '../../src/private/ids';
import { ADMIN_ACTIONS, DEPLOY_THROUGH_SERVICE_ACTIONS } from '../../src/private/perms';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const DEPLOYER = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
const ADMINS = 'arn:aws:iam::111111111111:role/KeyAdmins';
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const SYM = kms.KeySpec.SYMMETRIC_DEFAULT;
const ED = kms.KeyUsage.ENCRYPT_DECRYPT;

function statements(key: EncryptionKey): any[] {
  return Stack.of(key).resolve(key.cfnKey.keyPolicy).Statement;
}

function sid(key: EncryptionKey, name: string): any {
  return statements(key).find(s => s.Sid === name);
}

/** Warnings on the key, by id (read from the construct's metadata, without synthesizing). */
function warnings(key: EncryptionKey): string[] {
  return key.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
}

function stack(props: { synthesizer?: any; env?: any } = {}): Stack {
  return new Stack(new App(), 'S', { env: ENV, ...props });
}

describe('validateKeyAccess', () => {
  test('a rule that fits the key passes', () => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.SIGN], accounts: ['222222222222'] }, kms.KeySpec.RSA_2048, kms.KeyUsage.SIGN_VERIFY))
      .not.toThrow();
  });

  test('errors name the prop given', () => {
    expect(() => validateKeyAccess('access[3]', { capabilities: [KeyCapability.DECRYPT] }, SYM, ED)).toThrow('access[3] must set principals, principalArnPatterns or accounts');
  });

  test('the capability is checked against the key spec and usage', () => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.GENERATE_MAC], accounts: ['222222222222'] }, SYM, ED))
      .toThrow("rule.capabilities: GENERATE_MAC needs a key whose usage is GENERATE_VERIFY_MAC, this key's usage is ENCRYPT_DECRYPT");
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.ENVELOPE], accounts: ['222222222222'] }, kms.KeySpec.RSA_4096, ED))
      .toThrow('rule.capabilities: ENVELOPE needs a SYMMETRIC_DEFAULT key, this key is RSA_4096');
  });

  test.each([
    ['an sts assumed-role pattern', 'arn:aws:sts::111111111111:assumed-role/app/*', /rule\.principalArnPatterns must be IAM ARN patterns: aws:PrincipalArn of a role session is the role's ARN/],
    ['a pattern without an account', 'arn:aws:iam:::role/app/*', /rule\.principalArnPatterns must be IAM ARN patterns naming an account/],
    ['a wildcard account', 'arn:aws:iam::*:role/app/*', /naming an account, literally or as one token such as Aws\.ACCOUNT_ID/],
    ['not an ARN', 'app/*', /naming an account/],
  ])('%s is refused', (_what, pattern, message) => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.DECRYPT], principalArnPatterns: [pattern] }, SYM, ED)).toThrow(message);
  });

  test('a pattern naming the account with one token (Aws.ACCOUNT_ID) passes', () => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.DECRYPT], principalArnPatterns: [`arn:aws:iam::${Aws.ACCOUNT_ID}:role/app/*`] }, SYM, ED))
      .not.toThrow();
  });

  test('a token organization id passes', () => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'], organizationId: Fn.importValue('OrgId') }, SYM, ED))
      .not.toThrow();
  });

  test('an unknown field is refused rather than dropped; a near miss is named', () => {
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'], encryption_context: { a: 'b' } } as any, SYM, ED))
      .toThrow(/^rule: unknown field 'encryption_context' \(did you mean encryptionContext\?/);
    expect(() => validateKeyAccess('rule', { capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'], readers: [] } as any, SYM, ED))
      .toThrow("rule: unknown field 'readers'; fields: capabilities, principals, principalArnPatterns, principalTags, accounts, organizationId, viaServices, encryptionContext");
  });
});

describe('administrators and the deployment role', () => {
  test('by default the deployment role administers the key and may create resources with it through AWS services', () => {
    const key = new EncryptionKey(stack(), 'Key');
    const administer = sid(key, 'Administer');
    expect(administer.Action).toEqual(ADMIN_ACTIONS);
    expect(administer.Principal).toEqual({ AWS: { 'Fn::Sub': expect.stringContaining(':role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1') } });
    const deploy = sid(key, 'DeployEncryptedResources');
    expect(deploy.Action).toEqual(DEPLOY_THROUGH_SERVICE_ACTIONS.filter(a => a !== 'kms:CreateGrant'));
    expect(deploy.Condition).toEqual({ Null: { 'kms:ViaService': 'false' }, StringEquals: { 'kms:CallerAccount': '111111111111' } });
    expect(sid(key, 'DeployEncryptedResourcesGrants').Condition.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
    expect(key.node.validate()).toEqual([]);
  });

  test('the deployment role: administration and use through services only (simulated)', async () => {
    const s = stack();
    const key = new EncryptionKey(s, 'Key');
    const world = PolicyWorld.fromStacks([s]);
    await expectAccess(world, [
      { label: 'lockout check', principal: DEPLOYER, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], key, expect: 'allow' },
      {
        label: 'through EC2',
        principal: DEPLOYER,
        action: ['kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt'],
        key,
        context: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' },
        expect: 'allow',
      },
      {
        label: 'volume grant',
        principal: DEPLOYER,
        action: 'kms:CreateGrant',
        key,
        context: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com', 'kms:GrantIsForAWSResource': 'true' },
        expect: 'allow',
      },
      { label: 'directly', principal: DEPLOYER, action: ['kms:Decrypt', 'kms:Encrypt'], key, expect: 'deny' },
      {
        label: 'anyone else of the account',
        principal: 'arn:aws:iam::111111111111:role/other',
        action: ['kms:PutKeyPolicy', 'kms:Decrypt'],
        key,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
    ]);
  });

  test('deploymentRoleAdministers false: neither statement names the deployment role', () => {
    const key = new EncryptionKey(stack(), 'Key', { deploymentRoleAdministers: false, administrators: [new iam.ArnPrincipal(ADMINS)] });
    expect(JSON.stringify(statements(key))).not.toContain('cfn-exec-role');
    expect(sid(key, 'Administer').Principal).toEqual({ AWS: ADMINS });
  });

  test('an administrator of another account may only inspect, with a warning', () => {
    const key = new EncryptionKey(stack(), 'Key', { administrators: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/auditors')] });
    expect(sid(key, 'InspectFromOtherAccount')).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::333333333333:role/auditors' },
      Action: ['kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:RevokeGrant'],
    });
    expect(warnings(key).join('\n')).toMatch(/administrator .* is in account 333333333333: KMS honours only .* so it can inspect but not administer the key/);
  });
});

describe('the lockout safety check', () => {
  test('nobody could administer: no known deployer and no administrators', () => {
    const key = new EncryptionKey(stack({ synthesizer: new CliCredentialsStackSynthesizer() }), 'Key');
    expect(key.node.validate()).toEqual([expect.stringMatching(/^nobody could ever administer key S\/Key: declare administrators/)]);
  });

  test('deploymentRoleAdministers false and no administrators: nobody could administer', () => {
    const key = new EncryptionKey(stack(), 'Key', { deploymentRoleAdministers: false });
    expect(key.node.validate()).toEqual([
      expect.stringMatching(/^nobody could ever administer key S\/Key/),
    ]);
  });

  test('administrators without the deployer: KMS would refuse to create the key, and the message names the role', () => {
    const key = new EncryptionKey(stack(), 'Key', { deploymentRoleAdministers: false, administrators: [new iam.ArnPrincipal(ADMINS)] });
    const errors = key.node.validate();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^KMS would refuse to create key S\/Key: its lockout safety check requires the principal that creates it, the CloudFormation execution role arn:\$\{AWS::Partition\}:iam::111111111111:role\/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1, to be allowed kms:PutKeyPolicy/);
  });

  test.each([
    ['a literal ARN', () => new iam.ArnPrincipal(DEPLOYER)],
    ['the synthesizer\'s own Fn::Sub', (s: Stack) => new iam.ArnPrincipal(Fn.sub((s.synthesizer as DefaultStackSynthesizer).cloudFormationExecutionRoleArn))],
    ['an ARN with the partition as a token', () => new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1`)],
  ])('the deployer named among the administrators as %s passes', (_what, make) => {
    const s = stack();
    const key = new EncryptionKey(s, 'Key', { deploymentRoleAdministers: false, administrators: [make(s)] });
    expect(key.node.validate()).toEqual([]);
  });

  // comparableArn flattens only ${AWS::Partition}: in an environment-agnostic stack the deployer
  // written with Aws.ACCOUNT_ID and Aws.REGION (Fn::Join of Refs) never matches the synthesizer's
  // Fn::Sub "${AWS::AccountId}...${AWS::Region}", so a correct key policy fails synth.
  test('environment-agnostic: the deployer named with Aws.ACCOUNT_ID and Aws.REGION passes', () => {
    const agnostic = new Stack(new App(), 'S');
    const deployer = new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}`);
    const key = new EncryptionKey(agnostic, 'Key', { deploymentRoleAdministers: false, administrators: [deployer] });
    expect(key.node.validate()).toEqual([]);
  });

  // A nested stack is deployed with its parent's CloudFormation execution role, but the engine asks
  // the nested stack's own synthesizer, which knows no role (see test/private/deployer.test.ts).
  test('a key with default props in a nested stack is administered by the parent\'s deployment role', () => {
    const nested = new NestedStack(stack(), 'Nested');
    const key = new EncryptionKey(nested, 'Key');
    expect(key.node.validate()).toEqual([]);
  });

  test('a custom synthesizer with deploymentRoleAdministers false: a warning says the deployer must be among the administrators', () => {
    const key = new EncryptionKey(stack({ synthesizer: new CliCredentialsStackSynthesizer() }), 'Key', {
      deploymentRoleAdministers: false, administrators: [new iam.ArnPrincipal(ADMINS)],
    });
    expect(key.node.validate()).toEqual([]);
    expect(warnings(key).join('\n')).toMatch(/the principal that deploys S is not known \(custom synthesizer\): KMS refuses to create the key unless that principal may call kms:PutKeyPolicy/);
    expect(JSON.stringify(key.node.metadata)).toContain(WarningIds.LOCKOUT_UNPROVEN);
  });

  // The README promises "With a custom synthesizer whose deployer is unknown, a warning says to
  // check", but the warning is gated on deploymentRoleAdministers being false: with the default
  // (true), which does nothing when the deployer is unknown, the lockout risk goes unmentioned.
  test('a custom synthesizer with the default deploymentRoleAdministers warns too', () => {
    const key = new EncryptionKey(stack({ synthesizer: new CliCredentialsStackSynthesizer() }), 'Key', {
      administrators: [new iam.ArnPrincipal(ADMINS)],
    });
    expect(key.node.validate()).toEqual([]);
    expect(JSON.stringify(key.node.metadata)).toContain(WarningIds.LOCKOUT_UNPROVEN);
  });
});

describe('AWS_DEFAULT mode', () => {
  test('the account root gets kms:*, with a warning; no lockout error even without administrators', async () => {
    const s = stack();
    const key = new EncryptionKey(s, 'Key', { policyMode: KeyPolicyMode.AWS_DEFAULT, deploymentRoleAdministers: false });
    expect(sid(key, 'EnableIamUserPermissions')).toEqual({
      Sid: 'EnableIamUserPermissions',
      Effect: 'Allow',
      Action: 'kms:*',
      Resource: '*',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
    });
    expect(key.node.validate()).toEqual([]);
    expect(JSON.stringify(key.node.metadata)).toContain(WarningIds.AWS_DEFAULT_KEY_POLICY);
    const world = PolicyWorld.fromStacks([s]);
    await expectAccess(world, [
      {
        label: 'any role of the account allowed by IAM',
        principal: 'arn:aws:iam::111111111111:role/any',
        action: ['kms:Decrypt', 'kms:PutKeyPolicy'],
        key,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'allow',
      },
      { label: 'without IAM', principal: 'arn:aws:iam::111111111111:role/any', action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'another account', principal: 'arn:aws:iam::222222222222:role/any', action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('declared access is still added next to it', () => {
    const key = new EncryptionKey(stack(), 'Key', {
      policyMode: KeyPolicyMode.AWS_DEFAULT,
      access: [{ capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'], viaServices: [KeyService.S3] }],
    });
    expect(sid(key, 'Use')).toMatchObject({ Action: 'kms:Decrypt' });
  });
});

describe('the policy size', () => {
  test('over 32 KB is an error that says how big and what to do', () => {
    const principals = Array.from({ length: 300 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::111111111111:role/application-role-number-${i}`));
    const key = new EncryptionKey(stack(), 'Key', {
      access: principals.map((p, i) => ({ capabilities: [KeyCapability.DECRYPT], principals: [p], encryptionContext: { app: `application-${i}` } })),
    });
    const errors = key.node.validate();
    expect(errors).toHaveLength(1);
    const size = Number(/is about (\d+) bytes/.exec(errors[0])![1]);
    expect(size).toBeGreaterThan(32768);
    expect(errors[0]).toMatch(/over KMS's limit of 32768: match principals by pattern \(KeyAccess\.principalArnPatterns/);
  });

  test('a policy under the limit passes, and the estimate is at least the real size', () => {
    const principals = Array.from({ length: 40 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::111111111111:role/application-role-number-${i}`));
    const s = stack();
    const key = new EncryptionKey(s, 'Key', {
      access: principals.map((p, i) => ({ capabilities: [KeyCapability.DECRYPT], principals: [p], encryptionContext: { app: `application-${i}` } })),
    });
    expect(key.node.validate()).toEqual([]);
    const real = JSON.stringify(PolicyWorld.fromStacks([s]).keyPolicy(key));
    expect(real.length).toBeLessThan(32768);
    expect(real.length).toBeGreaterThan(4000);
  });
});

describe('after rendering', () => {
  test('access and administrators can no longer be added: the policy is final', () => {
    const key = new EncryptionKey(stack(), 'Key');
    statements(key);
    expect(() => key.addAccess({ capabilities: [KeyCapability.DECRYPT], accounts: ['222222222222'] }))
      .toThrow('addAccess was called on S/Key after its key policy was rendered');
    expect(() => key.addAdministrator(new iam.ArnPrincipal(ADMINS))).toThrow('addAdministrator was called on S/Key after its key policy was rendered');
  });
});

describe('replication', () => {
  test('a multi-Region key lets the replicator describe and replicate it, administratively', () => {
    const key = new EncryptionKey(stack(), 'Key', { multiRegion: true });
    key.addAccessForReplication('arn:aws:iam::111111111111:role/replicator');
    expect(sid(key, 'Replicate')).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111111111111:role/replicator' }, Action: ['kms:DescribeKey', 'kms:ReplicateKey'] });
  });

  test('a single-Region key cannot be replicated', () => {
    const key = new EncryptionKey(stack(), 'Key');
    expect(() => key.addAccessForReplication('arn:aws:iam::111111111111:role/replicator'))
      .toThrow('S/Key is not a multi-Region key; create it with multiRegion: true to replicate it');
  });
});
