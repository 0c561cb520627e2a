/**
 * Who can do what with a key, proven by simulating requests against the synthesized key policy and
 * IAM policies (iam-simulate), for every declared role, both policy modes, undeclared principals of
 * the same and other accounts, and AWS services, across KMS actions and request contexts.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionKey, KeyCapability, KeyPolicyMode, KeyService } from '../../src';
import { AccessRow, ContextValues, expectAccess, PolicyWorld, resetSimulationCount, simulationCount } from '../harness/simulate';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const STRANGER = '333333333333';
const REGION = 'eu-west-1';
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

// The expected sets are written out here, not imported from the library: they are the specification.
const ADMIN = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DeleteImportedKeyMaterial', 'kms:DescribeKey',
  'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:ListGrants',
  'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:ReplicateKey',
  'kms:RevokeGrant', 'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource',
  'kms:UpdateAlias', 'kms:UpdateKeyDescription', 'kms:UpdatePrimaryRegion',
];
const CRYPTO = [
  'kms:Decrypt', 'kms:DeriveSharedSecret', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateMac',
  'kms:GetPublicKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Sign', 'kms:Verify', 'kms:VerifyMac',
  'kms:CreateGrant', 'kms:RetireGrant',
];
const ALL_ACTIONS = [...new Set([...ADMIN, ...CRYPTO])].sort();
const CDK_ENCRYPT = [
  'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
];

const CONTEXTS: Record<string, ContextValues> = {
  'none': {},
  'via S3': { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
  'via EC2': { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` },
  'via Secrets Manager': { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` },
  'via EC2, grant for AWS resource': { 'kms:ViaService': `ec2.${REGION}.amazonaws.com`, 'kms:GrantIsForAWSResource': 'true' },
  'grant for AWS resource false': { 'kms:GrantIsForAWSResource': 'false' },
};

/** An allowed (action, context) pair: the context names in CONTEXTS for which it is allowed. */
type Allowed = Record<string, string[] | 'any'>;

/** Rows for one principal: every action × every context, allowed exactly where `allowed` says. */
function rowsFor(label: string, principal: AccessRow['principal'], key: AccessRow['key'], allowed: Allowed,
  extra: { identity?: object[]; context?: ContextValues } = {}): AccessRow[] {
  const rows: AccessRow[] = [];
  for (const [contextName, context] of Object.entries(CONTEXTS)) {
    for (const action of ALL_ACTIONS) {
      const rule = allowed[action];
      const allow = rule === 'any' || (Array.isArray(rule) && rule.includes(contextName));
      rows.push({
        label: `${label} [${contextName}]`,
        principal,
        action,
        key,
        context: { ...extra.context, ...context },
        extraIdentityPolicies: extra.identity as any,
        expect: allow ? 'allow' : 'deny',
      });
    }
  }
  return rows;
}

function only(actions: string[], contexts: string[] | 'any'): Allowed {
  return Object.fromEntries(actions.map(a => [a, contexts]));
}

function fixture(mode: KeyPolicyMode) {
  const app = new App();
  const env = { account: ACCOUNT, region: REGION };
  const keyStack = new Stack(app, 'Keys', { env });
  const workload = new Stack(app, 'Workload', { env });
  const partner = new Stack(app, 'Partner', { env: { account: PARTNER, region: REGION } });

  const admin = new iam.Role(keyStack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const app1 = new iam.Role(keyStack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const ebs = new iam.Role(keyStack, 'EbsRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const writer = new iam.Role(keyStack, 'Writer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const reporting = new iam.Role(workload, 'Reporting', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const importer = new iam.Role(partner, 'Importer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  const key = new EncryptionKey(keyStack, 'Key', {
    policyMode: mode,
    administrators: [admin],
    access: [
      { capabilities: [KeyCapability.ENVELOPE, KeyCapability.DESCRIBE], principals: [app1], viaServices: [KeyService.S3] },
      { capabilities: [KeyCapability.ENVELOPE, KeyCapability.GRANT_FOR_AWS_RESOURCE], principals: [ebs], viaServices: [KeyService.EC2] },
      { capabilities: [KeyCapability.DECRYPT], principalArnPatterns: [`arn:aws:iam::${ACCOUNT}:role/analytics/*`] },
      { capabilities: [KeyCapability.DECRYPT], accounts: [PARTNER] },
    ],
  });
  key.grantEncrypt(writer);
  key.grantDecrypt(reporting);
  key.grantEncryptDecrypt(importer);
  key.allowCloudWatchLogs();
  key.allowCloudTrail({ trailArn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/audit` });
  key.allowEventBridge();
  app.synth();
  const world = PolicyWorld.fromStacks([keyStack, workload, partner]);
  const keyResource = Template.fromStack(keyStack).toJSON().Resources[keyStack.getLogicalId(key.cfnKey)];
  const tags: Array<{ Key: string; Value: string }> = keyResource.Properties.Tags;
  const tag = tags.find(t => t.Key === 'cdk-kms-patterns:key')!.Value;
  expect(tag).toMatch(/^Keys\/Key\//);
  return { world, key, admin, app1, ebs, writer, reporting, importer, tag };
}

const ENVELOPE = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];

describe('least-privilege key policy, simulated', () => {
  beforeAll(() => resetSimulationCount());
  afterAll(() => {
    // the figure the closing note reports
    console.log(`simulated requests in this file: ${simulationCount()}`);
  });

  test('every declared role can do exactly what it was given, nobody else anything', async () => {
    const { world, key, admin, app1, ebs, writer, reporting, importer, tag } = fixture(KeyPolicyMode.LEAST_PRIVILEGE);
    const partnerTag = { 'aws:ResourceTag/cdk-kms-patterns:key': tag };
    const rows: AccessRow[] = [
      // administrators administer and never use the key, nor create grants
      ...rowsFor('admin', admin, key, { ...only(ADMIN, 'any') }),
      // envelope users through S3 only
      ...rowsFor('app via S3', app1, key, only([...ENVELOPE, 'kms:DescribeKey'], ['via S3'])),
      // EBS users through EC2 only; grants only for AWS resources
      ...rowsFor('ebs', ebs, key, {
        ...only(ENVELOPE, ['via EC2', 'via EC2, grant for AWS resource']),
        ...only(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], ['via EC2, grant for AWS resource']),
      }),
      // a grant in the same stack
      // aws-cdk-lib's grantEncrypt contract: Encrypt, ReEncrypt*, GenerateDataKey*
      ...rowsFor('writer (grantEncrypt)', writer, key, only(CDK_ENCRYPT, 'any')),
      // a grant to a role of another stack (named by aws:PrincipalArn, with its IAM policy)
      ...rowsFor('reporting (other stack, grantDecrypt)', reporting, key, only(['kms:Decrypt'], 'any')),
      // a grant to a role of another account: both halves, the IAM half names the key by tag
      ...rowsFor('importer (other account)', importer, key, only(['kms:Decrypt', ...CDK_ENCRYPT], 'any'), { context: partnerTag }),
      // analytics roles by ARN pattern, any number of them
      ...rowsFor('analytics/etl (pattern)', `arn:aws:iam::${ACCOUNT}:role/analytics/etl`, key, only(['kms:Decrypt'], 'any'),
        { identity: [KMS_ALL] }),
      // the pattern names the account root: the matching roles' own IAM policies must allow too
      ...rowsFor('analytics/etl (pattern, no IAM)', `arn:aws:iam::${ACCOUNT}:role/analytics/etl`, key, {}),
      ...rowsFor('other/etl (outside the pattern)', `arn:aws:iam::${ACCOUNT}:role/other/etl`, key, {}, { identity: [KMS_ALL] }),
      // the partner account is delegated Decrypt: any of its principals whose IAM allows it
      ...rowsFor('partner principal with kms:*', `arn:aws:iam::${PARTNER}:role/Anyone`, key, only(['kms:Decrypt'], 'any'),
        { identity: [KMS_ALL] }),
      // undeclared principals: denied everything, whatever their IAM policy says
      ...rowsFor('undeclared, same account, kms:*', `arn:aws:iam::${ACCOUNT}:role/Undeclared`, key, {}, { identity: [KMS_ALL] }),
      ...rowsFor('undeclared, same account, no IAM', `arn:aws:iam::${ACCOUNT}:role/Nobody`, key, {}),
      ...rowsFor('stranger account, kms:*', `arn:aws:iam::${STRANGER}:role/Stranger`, key, {}, { identity: [KMS_ALL] }),
      ...rowsFor('account root of the key', `arn:aws:iam::${ACCOUNT}:root`, key, {}),
    ];
    const count = await expectAccess(world, rows);
    expect(count).toBe(rows.length);
    expect(count).toBeGreaterThan(3000);
  });

  test('the owner of a tag-matched IAM statement cannot reach another key with it', async () => {
    const { world, key, importer } = fixture(KeyPolicyMode.LEAST_PRIVILEGE);
    await expectAccess(world, [
      {
        label: 'importer, wrong tag',
        principal: importer,
        action: ['kms:Encrypt', 'kms:Decrypt'],
        key,
        context: { 'aws:ResourceTag/cdk-kms-patterns:key': 'some/other/key' },
        expect: 'deny',
      },
      { label: 'importer, no tag', principal: importer, action: 'kms:Encrypt', key, expect: 'deny' },
    ]);
  });

  test('AWS services act only within their conditions', async () => {
    const { world, key } = fixture(KeyPolicyMode.LEAST_PRIVILEGE);
    const logsContext = { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/orders` };
    const trail = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/audit`;
    await expectAccess(world, [
      {
        label: 'logs, a log group of the account',
        principal: `logs.${REGION}.amazonaws.com`,
        key,
        context: logsContext,
        action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'],
        expect: 'allow',
      },
      {
        label: 'logs, a log group of another account',
        principal: `logs.${REGION}.amazonaws.com`,
        key,
        context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${STRANGER}:log-group:x` },
        action: ['kms:Decrypt', 'kms:Encrypt'],
        expect: 'deny',
      },
      { label: 'logs, no encryption context', principal: `logs.${REGION}.amazonaws.com`, key, action: ['kms:Decrypt'], expect: 'deny' },
      { label: 'logs, never administers', principal: `logs.${REGION}.amazonaws.com`, key, context: logsContext, action: ['kms:PutKeyPolicy', 'kms:CreateGrant', 'kms:Sign', 'kms:DescribeKey'], expect: 'deny' },
      {
        label: 'cloudtrail, the audit trail',
        principal: 'cloudtrail.amazonaws.com',
        key,
        context: { 'kms:EncryptionContext:aws:cloudtrail:arn': trail, 'aws:SourceArn': trail },
        action: ['kms:GenerateDataKey'],
        expect: 'allow',
      },
      { label: 'cloudtrail, describe for the audit trail', principal: 'cloudtrail.amazonaws.com', key, context: { 'aws:SourceArn': trail }, action: 'kms:DescribeKey', expect: 'allow' },
      {
        label: 'cloudtrail, another trail (confused deputy)',
        principal: 'cloudtrail.amazonaws.com',
        key,
        context: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:${REGION}:${STRANGER}:trail/x`, 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${STRANGER}:trail/x` },
        action: ['kms:GenerateDataKey', 'kms:DescribeKey'],
        expect: 'deny',
      },
      {
        label: 'cloudtrail, never decrypts',
        principal: 'cloudtrail.amazonaws.com',
        key,
        context: { 'kms:EncryptionContext:aws:cloudtrail:arn': trail, 'aws:SourceArn': trail },
        action: ['kms:Decrypt', 'kms:Encrypt'],
        expect: 'deny',
      },
      {
        label: 'eventbridge, this account',
        principal: 'events.amazonaws.com',
        key,
        context: { 'aws:SourceAccount': ACCOUNT },
        action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        expect: 'allow',
      },
      {
        label: 'eventbridge, another account',
        principal: 'events.amazonaws.com',
        key,
        context: { 'aws:SourceAccount': STRANGER },
        action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        expect: 'deny',
      },
      { label: 'an unlisted service', principal: 'sns.amazonaws.com', key, context: { 'aws:SourceAccount': ACCOUNT }, action: ['kms:Decrypt', 'kms:GenerateDataKey'], expect: 'deny' },
    ]);
  });

  test('AWS_DEFAULT mode delegates to IAM: the weaker choice, as documented', async () => {
    const { world, key, admin, app1 } = fixture(KeyPolicyMode.AWS_DEFAULT);
    const rows: AccessRow[] = [
      ...rowsFor('undeclared, same account, kms:*', `arn:aws:iam::${ACCOUNT}:role/Undeclared`, key, only(ALL_ACTIONS, 'any'), { identity: [KMS_ALL] }),
      ...rowsFor('undeclared, same account, no IAM', `arn:aws:iam::${ACCOUNT}:role/Nobody`, key, {}),
      ...rowsFor('stranger account, kms:*', `arn:aws:iam::${STRANGER}:role/Stranger`, key, {}, { identity: [KMS_ALL] }),
      // declared roles keep at least what they were given
      ...rowsFor('admin (no IAM policy)', admin, key, only(ADMIN, 'any')),
    ];
    await expectAccess(world, rows);
    await expectAccess(world, [
      { label: 'app via S3', principal: app1, key, action: ENVELOPE, context: CONTEXTS['via S3'], expect: 'allow' },
    ]);
  });
});

describe('keys of every kind, simulated', () => {
  test.each([
    ['RSA sign/verify', kms.KeySpec.RSA_3072, kms.KeyUsage.SIGN_VERIFY, (k: EncryptionKey, r: iam.IRole) => { k.grantSign(r); k.grantGetPublicKey(r); }, ['kms:Sign', 'kms:GetPublicKey']],
    ['ECC verify', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, (k: EncryptionKey, r: iam.IRole) => { k.grantVerify(r); }, ['kms:Verify']],
    ['HMAC', kms.KeySpec.HMAC_256, kms.KeyUsage.GENERATE_VERIFY_MAC, (k: EncryptionKey, r: iam.IRole) => { k.grantGenerateMac(r); k.grantVerifyMac(r); }, ['kms:GenerateMac', 'kms:VerifyMac']],
    ['key agreement', kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.KEY_AGREEMENT, (k: EncryptionKey, r: iam.IRole) => { k.grantDeriveSharedSecret(r); }, ['kms:DeriveSharedSecret']],
    ['RSA encryption', kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT, (k: EncryptionKey, r: iam.IRole) => { k.grantReEncrypt(r); }, ['kms:ReEncryptFrom', 'kms:ReEncryptTo']],
  ])('%s: the grantee can do exactly what it was granted', async (_name, keySpec, keyUsage, grant, actions) => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: REGION } });
    const key = new EncryptionKey(stack, 'Key', { keySpec, keyUsage });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grant(key, role);
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      ...rowsFor('grantee', role, key, only(actions, 'any')).filter(r => r.label!.endsWith('[none]')),
      ...rowsFor('undeclared kms:*', `arn:aws:iam::${ACCOUNT}:role/Undeclared`, key, {}, { identity: [KMS_ALL] }).filter(r => r.label!.endsWith('[none]')),
    ]);
  });
});
