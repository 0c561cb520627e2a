/**
 * The grant surface of EncryptionKeyBase not covered by test/keys/grants.test.ts and
 * test/policy/key-grants.test.ts: service views, addToResourcePolicy, grantImportKeyMaterial,
 * grantForAwsResources, allowEbsForAccount, aliases, and what every key kind reports about itself.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptionKey, EncryptionKeyBase, KeyCapability, KeyService } from '../../src';
import { KeyAccessReportRegistry } from '../../src/compliance/key-access-report';
import { WarningIds } from '../../src/private/ids';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const IMPORTED_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function setup() {
  const app = new App();
  const stack = new Stack(app, 'S', { env: ENV });
  const key = new EncryptionKey(stack, 'Key');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { app, stack, key, role };
}

function keyStatements(key: EncryptionKey): any[] {
  return Stack.of(key).resolve(key.cfnKey.keyPolicy).Statement;
}

function identityStatements(stack: Stack): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
}

function warningsOf(construct: { node: any }): string[] {
  return construct.node.metadata.filter((m: any) => m.type === 'aws:cdk:warning').map((m: any) => String(m.data));
}

describe('forService views', () => {
  test('one view per service, with the key\'s identity; a view of a view is the parent\'s view', () => {
    const { key } = setup();
    const s3View = key.forService(KeyService.S3);
    expect(key.forService(KeyService.S3)).toBe(s3View);
    expect(s3View.forService(KeyService.SSM)).toBe(key.forService(KeyService.SSM));
    expect(s3View).not.toBe(key.forService(KeyService.SSM));
    expect([s3View.keyArn, s3View.keyId, s3View.keySpec, s3View.keyUsage]).toEqual([key.keyArn, key.keyId, key.keySpec, key.keyUsage]);
    expect(s3View.policyEditable).toBe(true);
  });

  // Views are found by an id made of the endpoint prefix without its hyphens, and the existing view
  // is returned without checking its service: a second service whose prefix differs only by
  // hyphens gets the first service's view, and its grants name the wrong kms:ViaService.
  test('services whose prefixes differ only by a hyphen get views of their own', () => {
    const { key, role } = setup();
    key.forService(KeyService.of('cognito-idp'));
    key.forService(KeyService.of('cognitoidp')).grantDecrypt(role);
    expect(keyStatements(key).find(s => s.Sid === 'Decrypt').Condition.StringEquals['kms:ViaService']).toBe('cognitoidp.eu-west-1.amazonaws.com');
  });

  test('every grant through a view carries kms:ViaService and kms:CallerAccount, in the key policy and the IAM policy', () => {
    const { stack, key, role } = setup();
    key.forService(KeyService.SSM).grantDecrypt(role);
    const expected = { StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } };
    expect(keyStatements(key).find(s => s.Sid === 'Decrypt').Condition).toEqual(expected);
    expect(identityStatements(stack)).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Condition: expected })]);
  });

  test('an aws-cdk-lib bucket handed the view: its readers decrypt through S3 only (simulated)', async () => {
    // GIVEN
    const { stack, key, role } = setup();
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key.forService(KeyService.S3) });
    // WHEN
    bucket.grantRead(role);
    // THEN
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'through S3', principal: role, action: 'kms:Decrypt', key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, expect: 'allow' },
      { label: 'directly', principal: role, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'through SSM', principal: role, action: 'kms:Decrypt', key, context: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' }, expect: 'deny' },
    ]);
  });

  test('addToResourcePolicy through a view keeps the view\'s conditions', () => {
    const { key, role } = setup();
    key.forService(KeyService.SQS).addToResourcePolicy(new iam.PolicyStatement({ sid: 'Queue', actions: ['kms:Decrypt'], resources: ['*'], principals: [role] }));
    expect(keyStatements(key).find(s => s.Sid === 'Queue').Condition.StringEquals['kms:ViaService']).toBe('sqs.eu-west-1.amazonaws.com');
  });

  test('an alias added through a view names the key itself', () => {
    const { stack, key } = setup();
    key.forService(KeyService.S3).addAlias('data');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/data',
      TargetKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.cfnKey), 'Arn'] },
    });
  });

  test('grantThroughService: the Sid names the service', () => {
    const { key, role } = setup();
    const grant = key.grantThroughService(role, KeyService.of('elasticfilesystem'), KeyCapability.ENVELOPE, KeyCapability.GRANT_FOR_AWS_RESOURCE);
    expect(grant.success).toBe(true);
    const sids = keyStatements(key).map(s => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['EnvelopeViaElasticfilesystem', 'GrantsForAwsResourcesViaElasticfilesystem']));
  });
});

describe('addToResourcePolicy', () => {
  test('a deny statement is kept as written, after the generated statements', () => {
    const { key } = setup();
    const deny = new iam.PolicyStatement({
      sid: 'DenyOutsideOrg',
      effect: iam.Effect.DENY,
      actions: ['kms:*'],
      resources: ['*'],
      principals: [new iam.AnyPrincipal()],
      conditions: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
    });
    const result = key.addToResourcePolicy(deny);
    expect(result.statementAdded).toBe(true);
    const statements = keyStatements(key);
    expect(statements[statements.length - 1]).toEqual(deny.toStatementJson());
  });

  test('a deny statement makes its effect (simulated): the org condition denies outsiders even with an allow', async () => {
    const { stack, key, role } = setup();
    key.grantDecrypt(role);
    key.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['kms:Decrypt'],
      resources: ['*'],
      principals: [new iam.AnyPrincipal()],
      conditions: { StringNotEquals: { 'aws:PrincipalTag/clearance': 'secret' } },
    }));
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'with the tag', principal: role, action: 'kms:Decrypt', key, context: { 'aws:PrincipalTag/clearance': 'secret' }, expect: 'allow' },
      { label: 'without', principal: role, action: 'kms:Decrypt', key, expect: 'explicit-deny' },
    ]);
  });

  test('an allow statement goes through the grant path: Sid as label, wildcards written out, no IAM half', () => {
    const { stack, key, role } = setup();
    key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'Reader-1', actions: ['kms:ReEncrypt*'], resources: ['*'], principals: [role] }));
    expect(keyStatements(key).find(s => s.Sid === 'Reader1').Action).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(identityStatements(stack)).toEqual([]);
  });

  test.each([
    ['NotAction', () => new iam.PolicyStatement({ notActions: ['kms:Decrypt'], resources: ['*'], principals: [new iam.AccountRootPrincipal()] }),
      /asked to add a statement with NotAction or NotPrincipal to the key policy of S\/Key/],
    ['an administrative action', (role: iam.IRole) => new iam.PolicyStatement({ actions: ['kms:PutKeyPolicy'], resources: ['*'], principals: [role] }),
      /cannot grant kms:PutKeyPolicy on S\/Key .*administrative actions are given only to declared administrators/],
  ])('a statement with %s is refused', (_what, make, message) => {
    const { key, role } = setup();
    expect(() => key.addToResourcePolicy(make(role))).toThrow(message);
  });

  // addStatement means to refuse a statement without a principal ("a key policy statement needs a
  // principal"), but its check (hasPrincipal && no principals) can never hold: such a statement is
  // dropped without a word, and addToResourcePolicy reports statementAdded: true.
  test('a statement without a principal is refused, not silently dropped', () => {
    const { key } = setup();
    expect(() => key.addToResourcePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] })))
      .toThrow(/a key policy statement needs a principal/);
  });

  test('on an imported key: nothing is added, the statement is reported for the owner; with allowNoOp false it throws', () => {
    const { app, stack, role } = setup();
    const imported = EncryptionKey.fromKeyArn(stack, 'Imported', IMPORTED_ARN);
    const statement = new iam.PolicyStatement({ sid: 'Reader', actions: ['kms:Decrypt'], resources: ['*'], principals: [role] });
    expect(imported.addToResourcePolicy(statement)).toEqual({ statementAdded: false });
    expect(KeyAccessReportRegistry.of(app).build().ownerStatements.map(o => o.statement.Sid)).toEqual(['Reader']);
    expect(() => imported.addToResourcePolicy(statement, false))
      .toThrow('the key policy of S/Imported cannot be edited (imported key); add the statement to the key\'s policy in its owner account');
  });
});

describe('grantImportKeyMaterial', () => {
  test('the three import actions on both halves, although they are administrative (simulated)', async () => {
    const { stack, key, role } = setup();
    const grant = key.grantImportKeyMaterial(role);
    expect(grant.success).toBe(true);
    expect(keyStatements(key).find(s => s.Sid === 'ImportKeyMaterial').Action).toEqual(['kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial']);
    expect(identityStatements(stack)[0].Action).toEqual(['kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial']);
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      { label: 'import', principal: role, action: ['kms:GetParametersForImport', 'kms:ImportKeyMaterial'], key, expect: 'allow' },
      {
        label: 'other administration',
        principal: role,
        action: ['kms:PutKeyPolicy', 'kms:DeleteImportedKeyMaterial', 'kms:ScheduleKeyDeletion'],
        key,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny',
      },
      { label: 'use', principal: role, action: ['kms:Decrypt', 'kms:Encrypt'], key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  // KMS does not honour GetParametersForImport or ImportKeyMaterial across accounts: the key policy
  // silently keeps only kms:DescribeKey while the IAM half names all three and the grant reports
  // success, with no error and no warning (other grants of actions KMS does not honour across
  // accounts are refused).
  test('to a role of another account it is refused or warned about, never silently narrowed', () => {
    const app = new App();
    const keyStack = new Stack(app, 'S', { env: ENV });
    const partner = new Stack(app, 'P', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new EncryptionKey(keyStack, 'Key');
    const role = new iam.Role(partner, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    let refused = false;
    try {
      key.grantImportKeyMaterial(role);
    } catch (e) {
      refused = /across accounts/.test((e as Error).message);
    }
    const warned = warningsOf(key).some(w => /ImportKeyMaterial|across accounts/.test(w));
    expect(refused || warned).toBe(true);
  });
});

describe('grantForAwsResources', () => {
  test('CreateGrant, ListGrants and RevokeGrant for AWS resources only (simulated)', async () => {
    const { stack, key, role } = setup();
    key.grantForAwsResources(role);
    const world = PolicyWorld.fromStacks([stack]);
    await expectAccess(world, [
      {
        label: 'for an AWS resource',
        principal: role,
        action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        key,
        context: { 'kms:GrantIsForAWSResource': 'true' },
        expect: 'allow',
      },
      { label: 'for itself', principal: role, action: 'kms:CreateGrant', key, context: { 'kms:GrantIsForAWSResource': 'false' }, expect: 'deny' },
    ]);
  });
});

describe('allowEbsForAccount', () => {
  test('writes the account-through-EC2 statements and warns on the key with its id', () => {
    const { key } = setup();
    key.allowEbsForAccount();
    expect(keyStatements(key).map(s => s.Sid)).toEqual(expect.arrayContaining(['EbsByDefaultAccountThroughEc2', 'EbsByDefaultAccountGrantsThroughEc2']));
    expect(warningsOf(key).join('\n')).toMatch(new RegExp(`every principal of account 111111111111 may create, attach and copy EBS volumes.*${WarningIds.EBS_DEFAULT_ACCOUNT_ACCESS}`));
  });

  test('on an imported key the statements are reported for the owner', () => {
    const { app, stack } = setup();
    EncryptionKey.fromKeyArn(stack, 'Imported', IMPORTED_ARN).allowEbsForAccount();
    expect(KeyAccessReportRegistry.of(app).build().ownerStatements.map(o => o.statement.Sid).sort())
      .toEqual(['EbsByDefaultAccountGrantsThroughEc2', 'EbsByDefaultAccountThroughEc2']);
  });
});

describe('aliases', () => {
  test('addAlias adds alias/ and numbers the constructs', () => {
    const { stack, key } = setup();
    const first = key.addAlias('app/one');
    const second = key.addAlias('alias/app/two');
    expect([first.node.id, second.node.id]).toEqual(['Alias', 'Alias2']);
    expect(stack.resolve(first.aliasName)).toBe('alias/app/one');
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Alias', 2);
  });

  test('an AWS-reserved alias is refused', () => {
    const { key } = setup();
    expect(() => key.addAlias('aws/s3')).toThrow(/aliasName must not start with 'alias\/aws\/'/);
  });
});

describe('what a key says about itself', () => {
  test('keyRef, policyEditable, the tag name', () => {
    const { stack, key } = setup();
    expect(key.keyRef).toEqual({ keyArn: key.keyArn, keyId: key.keyId });
    expect(key.policyEditable).toBe(true);
    expect(EncryptionKey.fromKeyArn(stack, 'Imported', IMPORTED_ARN).policyEditable).toBe(false);
    expect(EncryptionKey.fromAliasName(stack, 'ByAlias', 'shared').policyEditable).toBe(false);
    expect(EncryptionKeyBase.KEY_TAG).toBe('cdk-kms-patterns:key');
  });

  test('grantEncrypt on an RSA key gives what the key supports: no data keys', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantEncrypt(role);
    expect(keyStatements(key).find(s => s.Sid === 'Encrypt').Action).toEqual(['kms:Encrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  test('every grant returns the iam.Grant, with the IAM statement it wrote', () => {
    const { key, role } = setup();
    const grant = key.grantDescribe(role);
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.map(s => s.actions)).toEqual([['kms:DescribeKey']]);
  });
});
