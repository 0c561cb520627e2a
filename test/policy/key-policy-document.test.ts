import { App, Aws, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { callerAccount, canonicalConditions, Conditions, sourceAccount } from '../../src/policy/conditions';
import {
  estimatePolicySize, KEY_POLICY_MAX_BYTES, KeyPolicyDocument, KeyPolicyEntry, REFERENCE_SIZE_ESTIMATE,
} from '../../src/policy/key-policy-document';

const ROLE_A = 'arn:aws:iam::111111111111:role/a';
const ROLE_B = 'arn:aws:iam::111111111111:role/b';
const ROOT = 'arn:aws:iam::111111111111:root';

function entry(label: string, principals: string[], actions: string[], extra: Partial<KeyPolicyEntry> = {}): KeyPolicyEntry {
  return { label, principalType: 'AWS', principals, actions, ...extra };
}

function render(...entries: KeyPolicyEntry[]): any[] {
  const document = new KeyPolicyDocument();
  entries.forEach(e => document.add(e));
  return document.render().Statement;
}

describe('rendering', () => {
  test('one allow statement on Resource * per entry; single principals and actions unwrapped', () => {
    const rendered = new KeyPolicyDocument();
    rendered.add(entry('Use', [ROLE_A], ['kms:Decrypt']));
    expect(rendered.render()).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Use', Effect: 'Allow', Principal: { AWS: ROLE_A }, Action: 'kms:Decrypt', Resource: '*' }],
    });
  });

  test('principals and actions are sorted and deduplicated; an empty condition block is left out', () => {
    const [statement] = render(entry('Use', [ROLE_B, ROLE_A, ROLE_B], ['kms:Encrypt', 'kms:Decrypt', 'kms:Encrypt'], { conditions: {} }));
    expect(statement.Principal).toEqual({ AWS: [ROLE_A, ROLE_B] });
    expect(statement.Action).toEqual(['kms:Decrypt', 'kms:Encrypt']);
    expect(statement).not.toHaveProperty('Condition');
  });

  test('service principals and "*" (with conditions) are rendered as KMS expects them', () => {
    const statements = render(
      { label: 'Logs', principalType: 'Service', principals: ['logs.eu-west-1.amazonaws.com'], actions: ['kms:Decrypt'] },
      { label: 'Any', principalType: '*', principals: [], actions: ['kms:Encrypt'], conditions: callerAccount(['111111111111']) },
    );
    expect(statements[0].Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
    expect(statements[1].Principal).toEqual({ AWS: '*' });
    expect(statements[1].Condition).toEqual({ StringEquals: { 'kms:CallerAccount': '111111111111' } });
  });

  test('principalArns: the account root in Principal, restricted with aws:PrincipalArn, next to the other conditions', () => {
    const [statement] = render(entry('Use', [ROOT], ['kms:Decrypt'], { principalArns: [ROLE_B, ROLE_A], conditions: sourceAccount('111111111111') }));
    expect(statement.Principal).toEqual({ AWS: ROOT });
    expect(statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': [ROLE_A, ROLE_B] },
      StringEquals: { 'aws:SourceAccount': '111111111111' },
    });
  });

  test('literal values are sorted, tokens follow in the order they were added', () => {
    const stack = new Stack(new App(), 'S');
    const late = Lazy.string({ produce: () => 'arn:aws:iam::111111111111:role/0-late' });
    const early = Lazy.string({ produce: () => 'arn:aws:iam::111111111111:role/1-early' });
    const [statement] = render(entry('Use', [late, ROLE_B, early, ROLE_A], ['kms:Decrypt']));
    expect(stack.resolve(statement.Principal.AWS)).toEqual([ROLE_A, ROLE_B, 'arn:aws:iam::111111111111:role/0-late', 'arn:aws:iam::111111111111:role/1-early']);
  });

  test('hand-written statements follow the generated ones', () => {
    const document = new KeyPolicyDocument();
    const deny = new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['kms:Decrypt'], resources: ['*'], principals: [new iam.AnyPrincipal()] });
    document.addStatement(deny);
    document.add(entry('Use', [ROLE_A], ['kms:Decrypt']));
    const statements = document.render().Statement;
    expect(statements.map((s: any) => s.Effect)).toEqual(['Allow', 'Deny']);
    expect(document.allStatements).toEqual([deny]);
  });
});

describe('merging', () => {
  test('the same actions and conditions: one statement, principals grouped', () => {
    const statements = render(entry('Use', [ROLE_A], ['kms:Decrypt']), entry('Use', [ROLE_B], ['kms:Decrypt']));
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal).toEqual({ AWS: [ROLE_A, ROLE_B] });
  });

  test('the same principals and conditions: one statement, actions grouped, labels joined', () => {
    const statements = render(entry('Decrypt', [ROLE_A], ['kms:Decrypt']), entry('Encrypt', [ROLE_A], ['kms:Encrypt']), entry('Decrypt', [ROLE_A], ['kms:Sign']));
    expect(statements).toEqual([{ Sid: 'DecryptAndEncrypt', Effect: 'Allow', Principal: { AWS: ROLE_A }, Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:Sign'], Resource: '*' }]);
  });

  test('different conditions are never merged', () => {
    const statements = render(
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: sourceAccount('111111111111') }),
      entry('Use', [ROLE_B], ['kms:Decrypt']),
      entry('Use', [ROLE_B], ['kms:Encrypt']),
    );
    expect(statements).toHaveLength(2);
    expect(statements.find((s: any) => s.Condition)).toMatchObject({ Principal: { AWS: ROLE_A }, Action: 'kms:Decrypt' });
    expect(statements.find((s: any) => !s.Condition)).toMatchObject({ Principal: { AWS: ROLE_B }, Action: ['kms:Decrypt', 'kms:Encrypt'] });
  });

  test('conditions are compared canonically: the same block written differently merges', () => {
    const statements = render(
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: { StringEquals: { 'kms:CallerAccount': ['111111111111'] } } }),
      entry('Use', [ROLE_B], ['kms:Decrypt'], { conditions: { StringEquals: { 'kms:CallerAccount': '111111111111' } } }),
    );
    expect(statements).toHaveLength(1);
  });

  test('administration keeps statements of its own, even for the same principal', () => {
    const statements = render(entry('Administer', [ROLE_A], ['kms:PutKeyPolicy']), entry('Use', [ROLE_A], ['kms:Decrypt']),
      entry('InspectFromOtherAccount', [ROLE_A], ['kms:DescribeKey']));
    expect(statements.map((s: any) => s.Sid)).toEqual(['Administer', 'Use', 'InspectFromOtherAccount']);
  });

  test('entries restricted by principalArns never merge with unrestricted ones', () => {
    const statements = render(entry('Use', [ROOT], ['kms:Decrypt'], { principalArns: [ROLE_A] }), entry('Use', [ROOT], ['kms:Decrypt']));
    expect(statements).toHaveLength(2);
    expect(statements.filter((s: any) => s.Condition)).toHaveLength(1);
  });

  const PRINCIPALS = [ROLE_A, ROLE_B, ROOT, 'arn:aws:iam::222222222222:root'];
  const ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Sign', 'kms:DescribeKey'];
  const CONDITIONS: Array<Conditions | undefined> = [undefined, sourceAccount('111111111111'), callerAccount(['111111111111'])];
  const LABELS = ['Use', 'Administer', 'Decrypt', 'Grant'];

  test('merging never widens nor narrows access: the same (principal, action, condition) triples before and after', () => {
    const entryArb = fc.record({
      label: fc.constantFrom(...LABELS),
      principals: fc.subarray(PRINCIPALS, { minLength: 1 }),
      actions: fc.subarray(ACTIONS, { minLength: 1 }),
      condition: fc.nat({ max: CONDITIONS.length - 1 }),
    });
    fc.assert(fc.property(fc.array(entryArb, { minLength: 1, maxLength: 8 }), (entries) => {
      const triples = new Set<string>();
      for (const e of entries) {
        const condition = CONDITIONS[e.condition];
        const written = condition ? JSON.stringify(canonicalConditions(condition)) : 'none';
        for (const p of e.principals) for (const a of e.actions) triples.add(JSON.stringify([p, a, written]));
      }
      const statements = render(...entries.map(e => entry(e.label, e.principals, e.actions, { conditions: CONDITIONS[e.condition] })));
      const rendered = new Set<string>();
      for (const s of statements) {
        const written = s.Condition ? JSON.stringify(s.Condition) : 'none';
        for (const p of ([] as string[]).concat(s.Principal.AWS)) {
          for (const a of ([] as string[]).concat(s.Action)) rendered.add(JSON.stringify([p, a, written]));
        }
      }
      expect([...rendered].sort()).toEqual([...triples].sort());
      expect(new Set(statements.map((s: any) => s.Sid)).size).toBe(statements.length);
    }), { numRuns: 300 });
  });
});

describe('Sids', () => {
  test('unique: a repeated label gets a number', () => {
    const statements = render(entry('Use', [ROLE_A], ['kms:Decrypt']), entry('Use', [ROLE_B], ['kms:Encrypt']), entry('Use', [ROOT], ['kms:Sign']));
    expect(statements.map((s: any) => s.Sid)).toEqual(['Use', 'Use2', 'Use3']);
  });

  test('only letters and digits, at most 100 of them; an empty label becomes Statement', () => {
    const statements = render(entry('Via s3.eu-west-1!', [ROLE_A], ['kms:Decrypt']), entry('x'.repeat(120), [ROLE_B], ['kms:Encrypt']),
      entry('---', [ROOT], ['kms:Sign']));
    expect(statements.map((s: any) => s.Sid)).toEqual(['Vias3euwest1', 'x'.repeat(100), 'Statement']);
  });
});

describe('deferred entries', () => {
  test('are produced once, when the entries are first read, and merge like the others', () => {
    const document = new KeyPolicyDocument();
    const produce = jest.fn(() => [entry('Use', [ROLE_B], ['kms:Decrypt'])]);
    document.add(entry('Use', [ROLE_A], ['kms:Decrypt']));
    document.addDeferred(produce);
    expect(produce).not.toHaveBeenCalled();
    expect(document.allEntries).toHaveLength(2);
    expect(document.mergedEntries()).toHaveLength(1);
    expect(document.render().Statement[0].Principal).toEqual({ AWS: [ROLE_A, ROLE_B] });
    expect(produce).toHaveBeenCalledTimes(1);
  });

  test('what a producer reads at synth is what it returns (an action added to a grant after the grant)', () => {
    const document = new KeyPolicyDocument();
    const live: string[] = ['kms:Decrypt'];
    document.addDeferred(() => [entry('Use', [ROLE_A], [...live])]);
    live.push('kms:ReEncryptFrom');
    expect(document.render().Statement[0].Action).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom']);
  });
});

describe('estimatePolicySize', () => {
  const stack = new Stack(new App(), 'S');

  test('a literal document counts its JSON bytes (multi-byte characters included)', () => {
    const document = { Version: '2012-10-17', Statement: [{ Sid: 'Ünïcode', Action: 'kms:Decrypt' }] };
    expect(estimatePolicySize(stack, document)).toBe(Buffer.byteLength(JSON.stringify(document), 'utf8'));
  });

  test('pseudo parameters count at their longest value', () => {
    const value = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/x-${Aws.REGION}`;
    const longest = 'arn:aws-iso-b:iam::123456789012:role/x-ap-southeast-44';
    expect(estimatePolicySize(stack, { v: value })).toBe(JSON.stringify({ v: longest }).length);
  });

  test(`a reference to another resource counts ${REFERENCE_SIZE_ESTIMATE} bytes`, () => {
    expect(estimatePolicySize(stack, { v: Fn.getAtt('Role', 'Arn') })).toBe(JSON.stringify({ v: '' }).length + REFERENCE_SIZE_ESTIMATE);
  });

  test('the estimate is never below the size of the same document written out', () => {
    const written = { Principal: { AWS: 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1' } };
    const withTokens = { Principal: { AWS: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-hnb659fds-cfn-exec-role-${Aws.ACCOUNT_ID}-${Aws.REGION}` } };
    expect(estimatePolicySize(stack, withTokens)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(written)));
  });

  // "estimated from above ... never too small": an Fn::Sub (how the default synthesizer writes the
  // deployment role into the key policy) counts REFERENCE_SIZE_ESTIMATE bytes whatever its length,
  // so a long role ARN (a custom cloudFormationExecutionRole with an IAM path) is under-counted.
  test('an Fn::Sub longer than a reference is not under-counted', () => {
    const arn = `arn:\${AWS::Partition}:iam::111111111111:role/${'deployment/'.repeat(25)}cfn-exec`;
    const written = JSON.stringify({ v: arn.replace('${AWS::Partition}', 'aws') });
    expect(estimatePolicySize(stack, { v: Fn.sub(arn) })).toBeGreaterThanOrEqual(Buffer.byteLength(written));
  });

  test('KMS\'s limit is 32 KB', () => {
    expect(KEY_POLICY_MAX_BYTES).toBe(32768);
  });
});
