/**
 * Every KeyAlerts pattern against sample events from AWS's documentation (test/audit/fixtures, each
 * with its doc address), evaluated by moto's EventPattern (a real EventBridge matcher, offline):
 * each pattern matches its own events and no other, the noisy cases included.
 */
import {
  aliasChangePattern, API_CALL_VIA_CLOUDTRAIL, dangerousKeyCallsPattern, DISABLE_OR_DELETE_KEY_FILTER, externalGrantPattern, KeyScope,
  KMS_ACCESS_DENIED_FILTER, KMS_NATIVE_EVENTS, kmsEventPattern,
} from '../../../src/audit/private/alert-patterns';
import { matchEvents } from '../../harness/event-patterns';
import { asEvent, derive, DOC_ACCOUNT, DOC_KEY_ARN, DOC_KEY_ID, fixture } from '../fixtures';

const OTHER_KEY_ID = '0987dcba-09fe-87dc-65ba-ab0987654321';
const OTHER_KEY_ARN = `arn:aws:kms:us-west-2:${DOC_ACCOUNT}:key/${OTHER_KEY_ID}`;
const SCOPE: KeyScope = { keyArns: [DOC_KEY_ARN], keyIds: [DOC_KEY_ID], aliasNames: ['alias/my_alias'] };

const PATTERNS: Record<string, any> = {
  KeyDisabledOrDeleted: dangerousKeyCallsPattern(SCOPE, ['DeleteImportedKeyMaterial', 'DisableKey', 'ScheduleKeyDeletion']),
  KeyPolicyChanged: dangerousKeyCallsPattern(SCOPE, ['PutKeyPolicy']),
  ExternalGrant: externalGrantPattern(SCOPE, DOC_ACCOUNT),
  AliasChanged: aliasChangePattern(SCOPE),
  KeyMaterialExpired: kmsEventPattern(SCOPE, [KMS_NATIVE_EVENTS.KEY_MATERIAL_EXPIRATION]),
  KeyRotated: kmsEventPattern(SCOPE, [KMS_NATIVE_EVENTS.ROTATION]),
  KeyDeleted: kmsEventPattern(SCOPE, [KMS_NATIVE_EVENTS.DELETION]),
};

const grant = fixture('create-grant');
const disable = fixture('disable-key');
const rotation = fixture('kms-cmk-rotation');

/** Event → the patterns that must match it (every other pattern must not). */
const CASES: Array<[string, any, string[]]> = [
  // AWS documentation samples, verbatim
  ['DisableKey (doc, key id)', asEvent(disable), ['KeyDisabledOrDeleted']],
  ['ScheduleKeyDeletion (doc, key id)', asEvent(fixture('schedule-key-deletion')), ['KeyDisabledOrDeleted']],
  ['PutKeyPolicy (doc)', asEvent(fixture('put-key-policy')), ['KeyPolicyChanged']],
  ['CreateGrant (doc: grantee EX_PRINCIPAL_ID, not recognisably the account\'s: fails closed)', asEvent(grant), ['ExternalGrant']],
  ['CreateGrant by EC2 for an attached volume on the account\'s behalf (doc)', asEvent(fixture('ebs-attach-create-grant')), []],
  ['GenerateDataKeyWithoutPlaintext by EC2 (doc)', asEvent(fixture('ebs-generate-data-key')), []],
  ['DeleteAlias of a watched alias (doc)', asEvent(fixture('delete-alias')), ['AliasChanged']],
  ['UpdateAlias of a watched alias (doc)', asEvent(fixture('update-alias')), ['AliasChanged']],
  ['EnableKey (doc)', asEvent(fixture('enable-key')), []],
  ['CreateAlias (doc)', asEvent(fixture('create-alias')), []],
  ['Decrypt (doc)', asEvent(fixture('decrypt')), []],
  ['DeleteKey by KMS (doc)', asEvent(fixture('delete-key')), []],
  ['KMS CMK Rotation (doc)', asEvent(rotation), ['KeyRotated']],
  ['KMS Imported Key Material Expiration (doc)', asEvent(fixture('kms-key-material-expiration')), ['KeyMaterialExpired']],
  ['KMS CMK Deletion (doc)', asEvent(fixture('kms-cmk-deletion')), ['KeyDeleted']],
  // derived from the samples (what CloudTrail records for the other forms of the same calls)
  ['DeleteImportedKeyMaterial (derived from DisableKey)', derive(disable, r => { r.eventName = 'DeleteImportedKeyMaterial'; }), ['KeyDisabledOrDeleted']],
  ['DisableKey by key ARN (derived)', derive(disable, r => { r.requestParameters.keyId = DOC_KEY_ARN; }), ['KeyDisabledOrDeleted']],
  ['DisableKey of another key (derived)', derive(disable, r => {
    r.requestParameters.keyId = OTHER_KEY_ID; r.resources[0].ARN = OTHER_KEY_ARN;
  }), []],
  ['DisableKey that failed with AccessDenied (derived): still an attempt', derive(disable, r => { r.errorCode = 'AccessDenied'; }), ['KeyDisabledOrDeleted']],
  ['CreateGrant for a role of the account (derived)', derive(grant, r => { r.requestParameters.granteePrincipal = `arn:aws:iam::${DOC_ACCOUNT}:role/Reader`; }), []],
  ['CreateGrant for an assumed role of the account (derived)', derive(grant, r => {
    r.requestParameters.granteePrincipal = `arn:aws:sts::${DOC_ACCOUNT}:assumed-role/Reader/session`;
  }), []],
  ['CreateGrant for an AWS service principal (derived)', derive(grant, r => { r.requestParameters.granteePrincipal = 'rds.eu-west-1.amazonaws.com'; }), []],
  ['CreateGrant for a role of another account (derived)', derive(grant, r => {
    r.requestParameters.granteePrincipal = 'arn:aws:iam::444455556666:role/Outsider';
  }), ['ExternalGrant']],
  ['CreateGrant for a lookalike account (derived)', derive(grant, r => {
    r.requestParameters.granteePrincipal = `arn:aws:iam::${DOC_ACCOUNT}9:role/Outsider`;
  }), ['ExternalGrant']],
  ['CreateGrant by a principal of another account, grantee in the account (derived)', derive(grant, r => {
    r.userIdentity.accountId = '444455556666'; r.userIdentity.arn = 'arn:aws:iam::444455556666:user/Mallory';
    r.requestParameters.granteePrincipal = `arn:aws:iam::${DOC_ACCOUNT}:role/Reader`;
  }), ['ExternalGrant']],
  ['CreateGrant by EC2 for another account\'s principal attaching a volume (derived)', derive(fixture('ebs-attach-create-grant'), r => {
    r.userIdentity.accountId = '444455556666'; r.userIdentity.arn = 'arn:aws:iam::444455556666:user/Mallory';
    r.requestParameters.granteePrincipal = '444455556666:aws:ec2-infrastructure:i-81e2f56c';
  }), ['ExternalGrant']],
  ['CreateGrant for a role of another account, on another key (derived)', derive(grant, r => {
    r.requestParameters.keyId = OTHER_KEY_ARN; r.requestParameters.granteePrincipal = 'arn:aws:iam::444455556666:role/Outsider';
  }), []],
  ['UpdateAlias pointing another alias at a watched key (derived)', derive(fixture('update-alias'), r => { r.requestParameters.aliasName = 'alias/other'; }), ['AliasChanged']],
  ['UpdateAlias of another alias to another key (derived)', derive(fixture('update-alias'), r => {
    r.requestParameters.aliasName = 'alias/other'; r.requestParameters.targetKeyId = OTHER_KEY_ID;
  }), []],
  ['DeleteAlias of another alias (derived)', derive(fixture('delete-alias'), r => { r.requestParameters.aliasName = 'alias/other'; }), []],
  ['KMS CMK Rotation of another key (derived)', derive(rotation, e => { e.resources = [OTHER_KEY_ARN]; e.detail['key-id'] = OTHER_KEY_ID; }), []],
  ['DisableKey recorded by another service\'s event source (derived)', derive(disable, r => { r.eventSource = 'ec2.amazonaws.com'; }), []],
];

describe('KeyAlerts event patterns (moto EventPattern)', () => {
  const names = Object.keys(PATTERNS);
  const batch = CASES.flatMap(([, event]) => names.map(name => ({ pattern: PATTERNS[name], event })));
  const results = matchEvents(batch);

  test.each(CASES.map((c, i) => [c[0], c[2], i] as const))('%s → %j', (_label, expected, index) => {
    const matched = names.filter((_, j) => results[index * names.length + j]);
    expect(matched.sort()).toEqual([...expected].sort());
  });

  test('every pattern matches at least one AWS documentation sample verbatim', () => {
    for (const [j, name] of names.entries()) {
      const verbatim = CASES.map((c, i) => [c, i] as const).filter(([c]) => c[0].includes('(doc'));
      expect([name, verbatim.some(([, i]) => results[i * names.length + j])]).toEqual([name, true]);
    }
  });

  test('the API-call patterns need the trail: they match "AWS API Call via CloudTrail" only', () => {
    for (const name of ['KeyDisabledOrDeleted', 'KeyPolicyChanged', 'ExternalGrant', 'AliasChanged']) {
      expect(PATTERNS[name]['detail-type']).toEqual([API_CALL_VIA_CLOUDTRAIL]);
    }
    for (const name of ['KeyMaterialExpired', 'KeyRotated', 'KeyDeleted']) {
      expect(PATTERNS[name]['detail-type'][0]).toMatch(/^KMS /);
    }
  });

  test('without alias names, only UpdateAlias pointing at a watched key alerts', () => {
    const pattern = aliasChangePattern({ ...SCOPE, aliasNames: [] });
    const [own, other] = matchEvents([
      { pattern, event: derive(fixture('update-alias'), r => { r.requestParameters.aliasName = 'alias/unknown'; }) },
      { pattern, event: asEvent(fixture('delete-alias')) },
    ]);
    expect([own, other]).toEqual([true, false]);
  });

  test('the matcher is real: a pattern with a wrong value does not match', () => {
    expect(matchEvents([{ pattern: { ...PATTERNS.KeyRotated, 'detail-type': ['KMS CMK Rotated'] }, event: asEvent(rotation) }])).toEqual([false]);
  });
});

describe('metric filters', () => {
  test('CloudWatch.7, character for character as the control states it', () => {
    expect(DISABLE_OR_DELETE_KEY_FILTER).toBe('{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}');
  });

  test('AccessDenied on KMS calls', () => {
    expect(KMS_ACCESS_DENIED_FILTER).toBe('{($.eventSource=kms.amazonaws.com) && (($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*"))}');
  });
});
