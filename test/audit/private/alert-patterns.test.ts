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
import { asEvent, controlFilter, derive, DOC_ACCOUNT, DOC_KEY_ARN, DOC_KEY_ID, fixture } from '../fixtures';

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
  test('CloudWatch.7, character for character as Security Hub documents it', () => {
    // https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-7
    const documented = controlFilter('CloudWatch.7');
    expect(documented.title).toMatch(/^\[CloudWatch\.7\] Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys$/);
    expect(DISABLE_OR_DELETE_KEY_FILTER).toBe(documented.filterPattern);
  });

  test('AccessDenied on KMS calls: the documented CloudWatch.2 terms, character for character, narrowed to kms.amazonaws.com', () => {
    // https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html#cloudwatch-2
    const cis = controlFilter('CloudWatch.2').filterPattern;
    const inner = cis.slice(1, -1);
    expect(KMS_ACCESS_DENIED_FILTER).toBe(`{($.eventSource=kms.amazonaws.com) && (${inner})}`);
  });

  // No CloudWatch Logs filter matcher runs offline: this evaluates only the JSON-pattern subset the
  // two filters use (`$.field=value`, quoted or not, `*` wildcards, `&&`, `||`, parentheses), as
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
  // describes it; it proves the fields and values line up with CloudTrail records, not AWS's engine.
  describe('against CloudTrail records (subset evaluator, see above)', () => {
    const accessDenied = derive(disable, r => {
      r.errorCode = 'AccessDenied';
      r.errorMessage = 'User: arn:aws:iam::111122223333:user/Alice is not authorized to perform: kms:DisableKey';
    }).detail;
    test.each<[string, string, any, boolean]>([
      ['CloudWatch.7 on DisableKey (doc)', DISABLE_OR_DELETE_KEY_FILTER, disable.sample, true],
      ['CloudWatch.7 on ScheduleKeyDeletion (doc)', DISABLE_OR_DELETE_KEY_FILTER, fixture('schedule-key-deletion').sample, true],
      ['CloudWatch.7 on EnableKey (doc)', DISABLE_OR_DELETE_KEY_FILTER, fixture('enable-key').sample, false],
      ['AccessDenied on a refused DisableKey (derived: errorCode AccessDenied)', KMS_ACCESS_DENIED_FILTER, accessDenied, true],
      ['AccessDenied on AccessDeniedException (derived)', KMS_ACCESS_DENIED_FILTER, { ...accessDenied, errorCode: 'AccessDeniedException' }, true],
      ['AccessDenied on a successful DisableKey (doc)', KMS_ACCESS_DENIED_FILTER, disable.sample, false],
      ['AccessDenied on an EC2 UnauthorizedOperation (derived): not a KMS call', KMS_ACCESS_DENIED_FILTER,
        { ...accessDenied, eventSource: 'ec2.amazonaws.com', errorCode: 'Client.UnauthorizedOperation' }, false],
      ['AccessDenied on a KMS UnauthorizedOperation (derived)', KMS_ACCESS_DENIED_FILTER, { ...accessDenied, errorCode: 'Client.UnauthorizedOperation' }, true],
    ])('%s', (_label, filter, record, expected) => {
      expect(matchesJsonFilter(filter, record)).toBe(expected);
    });
  });
});

/** Evaluates the JSON filter-pattern subset described above against one log event. */
function matchesJsonFilter(pattern: string, event: any): boolean {
  const body = pattern.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new Error(`not a JSON filter pattern: ${pattern}`);
  const tokens = body.slice(1, -1).match(/\(|\)|&&|\|\||\$\.[A-Za-z0-9_.]+\s*=\s*(?:"[^"]*"|[^\s()]+)/g) ?? [];
  if (tokens.join('').replace(/\s/g, '') !== body.slice(1, -1).replace(/\s/g, '')) throw new Error(`unsupported syntax in ${pattern}`);
  let i = 0;
  const term = (): boolean => {
    const t = tokens[i++];
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error(`unbalanced parentheses in ${pattern}`);
      return v;
    }
    const [, path, raw] = /^\$\.([A-Za-z0-9_.]+)\s*=\s*(.+)$/.exec(t)!;
    const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    const actual = path.split('.').reduce((o: any, k) => (o == null ? undefined : o[k]), event);
    if (typeof actual !== 'string') return false;
    const re = new RegExp(`^${value.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return re.test(actual);
  };
  const and = (): boolean => {
    let v = term();
    while (tokens[i] === '&&') { i++; const r = term(); v = v && r; }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === '||') { i++; const r = and(); v = v || r; }
    return v;
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${pattern}`);
  return result;
}
