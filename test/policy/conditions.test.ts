import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  bucketOwnerFullControl, callerAccount, canonicalConditions, conditionKeys, encryptionContext, encryptionContextArnLike, encryptionContextPresent,
  grantIsForAwsResource, hasEncryptionContext,
  hasGrantIsForAwsResource, hasSource, hasViaService, mergeConditions, pinsPrincipal, principalAccount, principalArnEquals, principalArnLike,
  principalOrgId, principalTags, requestValueOtherThan, resourceAliases, resourceTag, S3_ENCRYPTION_ALGORITHM_KEY, S3_ENCRYPTION_KEY_ID_KEY,
  sourceAccount, sourceArnLike, throughAnyService, viaService, viaServicesOf,
} from '../../src/policy/conditions';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ACCOUNT = '111111111111';

describe('condition builders', () => {
  test.each([
    ['viaService', () => viaService(['s3.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com', 's3.eu-west-1.amazonaws.com']),
      { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'] } }],
    ['throughAnyService', () => throughAnyService(), { Null: { 'kms:ViaService': 'false' } }],
    ['callerAccount', () => callerAccount([ACCOUNT, ACCOUNT]), { StringEquals: { 'kms:CallerAccount': [ACCOUNT] } }],
    ['grantIsForAwsResource', () => grantIsForAwsResource(), { Bool: { 'kms:GrantIsForAWSResource': 'true' } }],
    ['principalArnEquals', () => principalArnEquals(['arn:aws:iam::111111111111:role/a']), { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/a'] } }],
    ['principalArnLike', () => principalArnLike(['arn:aws:iam::111111111111:role/app/*']), { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/app/*'] } }],
    ['principalTags (keys sorted)', () => principalTags({ team: 'a', env: 'prod' }),
      { StringEquals: { 'aws:PrincipalTag/env': 'prod', 'aws:PrincipalTag/team': 'a' } }],
    ['principalAccount', () => principalAccount([ACCOUNT]), { StringEquals: { 'aws:PrincipalAccount': [ACCOUNT] } }],
    ['resourceAliases', () => resourceAliases('alias/shared'), { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/shared' } }],
    ['principalOrgId', () => principalOrgId('o-abcdefghij'), { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } }],
    ['sourceAccount', () => sourceAccount(ACCOUNT), { StringEquals: { 'aws:SourceAccount': ACCOUNT } }],
    ['sourceArnLike', () => sourceArnLike(['arn:aws:cloudtrail:*:111111111111:trail/*']), { ArnLike: { 'aws:SourceArn': ['arn:aws:cloudtrail:*:111111111111:trail/*'] } }],
    ['resourceTag', () => resourceTag('cdk-kms-patterns:key', 'S/Key'), { StringEquals: { 'aws:ResourceTag/cdk-kms-patterns:key': 'S/Key' } }],
    ['requestValueOtherThan (set, and to something else)', () => requestValueOtherThan(S3_ENCRYPTION_ALGORITHM_KEY, 'aws:kms'),
      { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' }, Null: { 's3:x-amz-server-side-encryption': 'false' } }],
    ['encryptionContextArnLike', () => encryptionContextArnLike('aws:logs:arn', ['arn:aws:logs:eu-west-1:111111111111:log-group:*']),
      { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': ['arn:aws:logs:eu-west-1:111111111111:log-group:*'] } }],
  ])('%s', (_name, build, expected) => {
    expect(build()).toEqual(expected);
  });

  test('the S3 request keys are the ones S3 documents for SSE-KMS', () => {
    expect([S3_ENCRYPTION_ALGORITHM_KEY, S3_ENCRYPTION_KEY_ID_KEY]).toEqual(['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id']);
  });

  test('encryptionContext: exact values with StringEquals, values with * or ? with StringLike', () => {
    expect(encryptionContext({ tenant: 't-?', app: 'orders', bucket: 'arn:aws:s3:::data/*' })).toEqual({
      StringEquals: { 'kms:EncryptionContext:app': 'orders' },
      StringLike: { 'kms:EncryptionContext:bucket': 'arn:aws:s3:::data/*', 'kms:EncryptionContext:tenant': 't-?' },
    });
    expect(encryptionContext({})).toEqual({});
  });
});

describe('mergeConditions', () => {
  test('merges operators and keys, sorted, single values unwrapped; undefined blocks are skipped', () => {
    const merged = mergeConditions(viaService(['s3.eu-west-1.amazonaws.com']), undefined, grantIsForAwsResource(), callerAccount([ACCOUNT]));
    expect(merged).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
      StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
    });
    expect(Object.keys(merged)).toEqual(['Bool', 'StringEquals']);
    expect(Object.keys(merged.StringEquals)).toEqual(['kms:CallerAccount', 'kms:ViaService']);
    expect(mergeConditions()).toEqual({});
  });

  test('the same key with the same value twice is one condition', () => {
    expect(mergeConditions(sourceAccount(ACCOUNT), sourceAccount(ACCOUNT))).toEqual(sourceAccount(ACCOUNT));
  });

  test('the same key with different values is an error, never a silent overwrite', () => {
    expect(() => mergeConditions(sourceAccount(ACCOUNT), sourceAccount('222222222222')))
      .toThrow('conflicting condition StringEquals aws:SourceAccount: "111111111111" and "222222222222"');
  });

  test('booleans and numbers written by aws-cdk-lib are strings, as IAM reads them', () => {
    const fromCdk = { Bool: { 'kms:GrantIsForAWSResource': true }, NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } } as any;
    expect(mergeConditions(fromCdk, grantIsForAwsResource())).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
    });
  });

  // IAM reads a single value and a one-element list alike, and normalizeValue says values are
  // compared "as IAM reads them"; yet a canonical (unwrapped) block does not merge with a fresh one.
  // Reachable through the grant path: a forService(...) view's canonical kms:ViaService merged with
  // a principal whose conditions (PrincipalWithConditions) list the same service in an array.
  test('a single value and a one-element list of it are the same condition', () => {
    const canonical = canonicalConditions(viaService(['s3.eu-west-1.amazonaws.com']));
    expect(mergeConditions(canonical, viaService(['s3.eu-west-1.amazonaws.com']))).toEqual(canonical);
  });
});

describe('canonicalConditions', () => {
  test('sorts operators and keys, unwraps one-element lists, keeps longer lists in order', () => {
    const canonical = canonicalConditions({
      StringLike: { b: ['x'], a: ['2', '1'] },
      ArnLike: { k: 'v' },
    });
    expect(canonical).toEqual({ ArnLike: { k: 'v' }, StringLike: { a: ['2', '1'], b: 'x' } });
    expect(Object.keys(canonical)).toEqual(['ArnLike', 'StringLike']);
    expect(Object.keys(canonical.StringLike)).toEqual(['a', 'b']);
  });
});

describe('predicates', () => {
  const block = mergeConditions(viaService(['s3.eu-west-1.amazonaws.com']), callerAccount([ACCOUNT]), encryptionContext({ app: 'x' }));

  test('conditionKeys lists keys of every operator', () => {
    expect(conditionKeys(block).sort()).toEqual(['kms:CallerAccount', 'kms:EncryptionContext:app', 'kms:ViaService']);
    expect(conditionKeys(undefined)).toEqual([]);
  });

  test('hasViaService, viaServicesOf, hasEncryptionContext, hasGrantIsForAwsResource', () => {
    expect(hasViaService(block)).toBe(true);
    expect(viaServicesOf(block)).toBe('s3.eu-west-1.amazonaws.com');
    expect(hasEncryptionContext(block)).toBe(true);
    expect(hasEncryptionContext(encryptionContextArnLike('aws:logs:arn', ['*']))).toBe(true);
    expect(hasGrantIsForAwsResource(block)).toBe(false);
    expect(hasGrantIsForAwsResource(grantIsForAwsResource())).toBe(true);
    expect(hasViaService(undefined)).toBe(false);
    expect(hasViaService(throughAnyService())).toBe(true);
    expect(hasViaService({ Null: { 'kms:ViaService': 'true' } })).toBe(false);
    expect(viaServicesOf(callerAccount([ACCOUNT]))).toBeUndefined();
  });

  test.each([
    ['aws:SourceAccount', sourceAccount(ACCOUNT), true],
    ['aws:SourceArn', sourceArnLike(['arn:aws:events:*:111111111111:*']), true],
    ['aws:SourceOrgID', { StringEquals: { 'aws:SourceOrgID': 'o-abcdefghij' } }, true],
    ['kms:CallerAccount', callerAccount([ACCOUNT]), false],
  ])('hasSource with %s: %s', (_key, conditions, expected) => {
    expect(hasSource(conditions)).toBe(expected);
  });

  test.each([
    ['kms:CallerAccount', callerAccount([ACCOUNT]), true],
    ['aws:PrincipalAccount', principalAccount([ACCOUNT]), true],
    ['aws:PrincipalArn', principalArnLike(['arn:aws:iam::111111111111:role/*']), true],
    ['aws:PrincipalOrgID', principalOrgId('o-abcdefghij'), true],
    ['aws:SourceAccount', sourceAccount(ACCOUNT), true],
    ['kms:ViaService alone', viaService(['s3.eu-west-1.amazonaws.com']), false],
    ['a principal tag alone', principalTags({ team: 'a' }), false],
    ['an encryption context alone', encryptionContext({ app: 'x' }), false],
    ['nothing', undefined, false],
  ])('pinsPrincipal with %s: %s', (_key, conditions, expected) => {
    expect(pinsPrincipal(conditions)).toBe(expected);
  });
});

describe('the builders mean to IAM what their names say (simulated)', () => {
  const READER = `arn:aws:iam::${ACCOUNT}:role/reader`;
  const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

  function world(conditions: object): { world: PolicyWorld; key: kms.CfnKey } {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = new kms.CfnKey(stack, 'Key', {
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Decrypt', Resource: '*', Condition: conditions }],
      },
    });
    return { world: PolicyWorld.fromStacks([stack]), key };
  }

  test('viaService with callerAccount: through S3 by the account only', async () => {
    const { world: w, key } = world(mergeConditions(viaService(['s3.eu-west-1.amazonaws.com']), callerAccount([ACCOUNT])));
    await expectAccess(w, [
      { label: 'through S3', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, expect: 'allow' },
      { label: 'directly', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'through SSM', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' }, expect: 'deny' },
    ]);
  });

  test('throughAnyService: through any service, never directly', async () => {
    const { world: w, key } = world(throughAnyService());
    await expectAccess(w, [
      { label: 'through SSM', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' }, expect: 'allow' },
      { label: 'directly', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('encryptionContext: a wildcard value matches its pattern only', async () => {
    const { world: w, key } = world(encryptionContext({ tenant: 'orders-*' }));
    await expectAccess(w, [
      { label: 'orders-eu', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:EncryptionContext:tenant': 'orders-eu' }, expect: 'allow' },
      { label: 'billing', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'kms:EncryptionContext:tenant': 'billing' }, expect: 'deny' },
      { label: 'no context', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
    ]);
  });

  test('principalArnLike and principalTags: the matching, tagged role only', async () => {
    const { world: w, key } = world(mergeConditions(principalArnLike([`arn:aws:iam::${ACCOUNT}:role/app/*`]), principalTags({ team: 'orders' })));
    const appRole = `arn:aws:iam::${ACCOUNT}:role/app/worker`;
    await expectAccess(w, [
      { label: 'tagged app role', principal: appRole, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'aws:PrincipalTag/team': 'orders' }, expect: 'allow' },
      { label: 'untagged app role', principal: appRole, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'tagged other role', principal: READER, action: 'kms:Decrypt', key, extraIdentityPolicies: [KMS_ALL], context: { 'aws:PrincipalTag/team': 'orders' }, expect: 'deny' },
    ]);
  });
});

describe('audit trail conditions', () => {
  test('encryptionContextPresent: the pair is there, whatever its value; bucketOwnerFullControl: the S3 ACL header', () => {
    expect(encryptionContextPresent('aws:cloudtrail:arn')).toEqual({ Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } });
    expect(hasEncryptionContext(encryptionContextPresent('aws:cloudtrail:arn'))).toBe(true);
    expect(bucketOwnerFullControl()).toEqual({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } });
  });
});
