import { App, Aws, CfnResource, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { EncryptionKey, KeyCapability, KeyService } from '../../src';
import {
  callerAccount, canonicalConditions, Conditions, grantIsForAwsResource, mergeConditions, sourceAccount, viaService,
} from '../../src/policy/conditions';
import {
  estimatePolicySize, KEY_POLICY_MAX_BYTES, KeyPolicyDocument, KeyPolicyEntry, REFERENCE_SIZE_ESTIMATE, withPartitionWrittenOut,
} from '../../src/policy/key-policy-document';
import { expectAccess, PolicyWorld, resolveIntrinsics } from '../harness/simulate';

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

  test('labels of the shape <actions>Via<Service> merged by kms:ViaService list the services once', () => {
    const through = (service: string) => mergeConditions(viaService([service]), callerAccount(['111111111111']));
    const statements = render(
      entry('GrantsViaEc2', [ROLE_A], ['kms:CreateGrant'], { conditions: through('ec2.eu-west-1.amazonaws.com') }),
      entry('GrantsViaRds', [ROLE_A], ['kms:CreateGrant'], { conditions: through('rds.eu-west-1.amazonaws.com') }),
      entry('GrantsViaEc2', [ROLE_A], ['kms:CreateGrant'], { conditions: through('ssm.eu-west-1.amazonaws.com') }),
    );
    expect(statements.map((s: any) => s.Sid)).toEqual(['GrantsViaEc2AndRds']);
    expect(statements[0].Condition.StringEquals['kms:ViaService'])
      .toEqual(['ec2.eu-west-1.amazonaws.com', 'rds.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com']);
  });

  test('the same but for kms:ViaService: one statement, services listed, labels joined', () => {
    const through = (service: string) => mergeConditions(viaService([service]), callerAccount(['111111111111']));
    const statements = render(
      entry('DecryptViaSsm', [ROLE_A], ['kms:Decrypt'], { conditions: through('ssm.eu-west-1.amazonaws.com') }),
      entry('Decrypt', [ROLE_A], ['kms:Decrypt'], { conditions: through('secretsmanager.eu-west-1.amazonaws.com') }),
    );
    expect(statements).toEqual([{
      Sid: 'DecryptViaSsmAndDecrypt',
      Effect: 'Allow',
      Principal: { AWS: ROLE_A },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': '111111111111',
          'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'],
        },
      },
    }]);
  });

  test('kms:ViaService lists never merge across other differences: conditions, actions, principals, administration', () => {
    const ssm = viaService(['ssm.eu-west-1.amazonaws.com']);
    const s3 = viaService(['s3.eu-west-1.amazonaws.com']);
    expect(render(
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: mergeConditions(ssm, callerAccount(['111111111111'])) }),
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: mergeConditions(s3, callerAccount(['222222222222'])) }),
    )).toHaveLength(2);
    expect(render(
      entry('Use', [ROLE_A], ['kms:CreateGrant'], { conditions: mergeConditions(ssm, grantIsForAwsResource()) }),
      entry('Use', [ROLE_A], ['kms:CreateGrant'], { conditions: s3 }),
    )).toHaveLength(2);
    // Different actions and principals through different services: merging would grant a pair never asked for.
    expect(render(entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: ssm }), entry('Use', [ROLE_A], ['kms:Encrypt'], { conditions: s3 }))).toHaveLength(2);
    expect(render(entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: ssm }), entry('Use', [ROLE_B], ['kms:Decrypt'], { conditions: s3 }))).toHaveLength(2);
    // kms:ViaService under another operator is left alone.
    expect(render(
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: { StringLike: { 'kms:ViaService': 'ssm.*' } } }),
      entry('Use', [ROLE_A], ['kms:Decrypt'], { conditions: { StringLike: { 'kms:ViaService': 's3.*' } } }),
    )).toHaveLength(2);
    expect(render(entry('Administer', [ROLE_A], ['kms:PutKeyPolicy'], { conditions: ssm }), entry('Use', [ROLE_A], ['kms:PutKeyPolicy'], { conditions: s3 })))
      .toHaveLength(2);
  });

  const PRINCIPALS = [ROLE_A, ROLE_B, ROOT, 'arn:aws:iam::222222222222:root'];
  const ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:Sign', 'kms:DescribeKey'];
  const VIA = (service: string, account: string) => mergeConditions(viaService([`${service}.eu-west-1.amazonaws.com`]), callerAccount([account]));
  const CONDITIONS: Array<Conditions | undefined> = [undefined, sourceAccount('111111111111'), callerAccount(['111111111111']),
    VIA('s3', '111111111111'), VIA('ssm', '111111111111'), VIA('secretsmanager', '111111111111'), VIA('ssm', '222222222222'),
    mergeConditions(VIA('ec2', '111111111111'), grantIsForAwsResource()), mergeConditions(VIA('rds', '111111111111'), grantIsForAwsResource())];
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
        // A list of kms:ViaService values allows what one statement per value would (values are ORed).
        const via: Array<string | undefined> = s.Condition?.StringEquals?.['kms:ViaService'] === undefined ? [undefined]
          : ([] as string[]).concat(s.Condition.StringEquals['kms:ViaService']);
        for (const service of via) {
          const condition = service === undefined ? s.Condition
            : { ...s.Condition, StringEquals: { ...s.Condition.StringEquals, 'kms:ViaService': service } };
          const written = condition ? JSON.stringify(canonicalConditions(condition)) : 'none';
          for (const p of ([] as string[]).concat(s.Principal.AWS)) {
            for (const a of ([] as string[]).concat(s.Action)) rendered.add(JSON.stringify([p, a, written]));
          }
        }
      }
      expect([...rendered].sort()).toEqual([...triples].sort());
      expect(new Set(statements.map((s: any) => s.Sid)).size).toBe(statements.length);
    }), { numRuns: 500 });
  });
});

describe('merged kms:ViaService statements, simulated', () => {
  test('one statement through Parameter Store and Secrets Manager allows exactly what the two grants did', async () => {
    // GIVEN a role granted Decrypt through two services, and one through a single service
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new EncryptionKey(stack, 'Key');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    key.grantThroughService(reader, KeyService.SSM, KeyCapability.DECRYPT);
    key.grantThroughService(reader, KeyService.SECRETS_MANAGER, KeyCapability.DECRYPT);
    key.grantThroughService(other, KeyService.SSM, KeyCapability.DECRYPT);
    // THEN the three grants take two statements (the roles share the one through Parameter Store,
    // so the reader's through Secrets Manager stays apart: as small as one listing both services)
    const statements: any[] = stack.resolve((key.node.defaultChild as CfnResource & { keyPolicy: any }).keyPolicy).Statement;
    const through = statements.filter(st => st.Condition?.StringEquals?.['kms:ViaService'] !== undefined && st.Action === 'kms:Decrypt');
    expect(through).toHaveLength(2);
    const via = (service: string) => ({ 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` });
    const otherCaller = { ...via('ssm'), 'kms:CallerAccount': '222222222222' };
    const world = PolicyWorld.fromStacks([stack]);
    const count = await expectAccess(world, [
      { label: 'reader via SSM', principal: reader, action: 'kms:Decrypt', key, context: via('ssm'), expect: 'allow' },
      { label: 'reader via Secrets Manager', principal: reader, action: 'kms:Decrypt', key, context: via('secretsmanager'), expect: 'allow' },
      { label: 'reader via S3', principal: reader, action: 'kms:Decrypt', key, context: via('s3'), expect: 'deny' },
      { label: 'reader, direct', principal: reader, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'reader via SSM, other action', principal: reader, action: ['kms:Encrypt', 'kms:GenerateDataKey'], key, context: via('ssm'), expect: 'deny' },
      { label: 'reader via SSM, other caller account', principal: reader, action: 'kms:Decrypt', key, context: otherCaller, expect: 'deny' },
      { label: 'other via SSM', principal: other, action: 'kms:Decrypt', key, context: via('ssm'), expect: 'allow' },
      { label: 'other via Secrets Manager', principal: other, action: 'kms:Decrypt', key, context: via('secretsmanager'), expect: 'deny' },
    ]);
    expect(count).toBe(9);
  });

  test('a role reading a secret and a parameter: one statement listing both services, simulated', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new EncryptionKey(stack, 'Key');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantThroughService(reader, KeyService.SSM, KeyCapability.DECRYPT);
    key.grantThroughService(reader, KeyService.SECRETS_MANAGER, KeyCapability.DECRYPT);
    const statements: any[] = stack.resolve((key.node.defaultChild as CfnResource & { keyPolicy: any }).keyPolicy).Statement;
    const readerArn = stack.resolve(reader.roleArn);
    const readers = statements.filter(st => JSON.stringify(st.Principal) === JSON.stringify({ AWS: readerArn }));
    expect(readers).toEqual([expect.objectContaining({
      Action: 'kms:Decrypt',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': '111111111111',
          'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'],
        },
      },
    })]);
    const via = (service: string) => ({ 'kms:ViaService': `${service}.eu-west-1.amazonaws.com` });
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { principal: reader, action: 'kms:Decrypt', key, context: via('ssm'), expect: 'allow' },
      { principal: reader, action: 'kms:Decrypt', key, context: via('secretsmanager'), expect: 'allow' },
      { principal: reader, action: 'kms:Decrypt', key, context: via('rds'), expect: 'deny' },
      { principal: reader, action: 'kms:Decrypt', key, expect: 'deny' },
      { principal: reader, action: 'kms:Decrypt', key, context: { ...via('ssm'), 'kms:CallerAccount': '222222222222' }, expect: 'deny' },
    ]);
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

describe('withPartitionWrittenOut', () => {
  const inRegion = (region?: string) => new Stack(new App(), 'S', region ? { env: { account: '111111111111', region } } : {});
  const root = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] };
  const deployer = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1' };

  test('the partition of the stack\'s Region is written out: Refs, Joins of literal parts, Subs left without variables', () => {
    const policy = { Statement: [{ Principal: { AWS: [root, deployer] }, Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } } } }] };
    expect(withPartitionWrittenOut(inRegion('eu-west-1'), policy)).toEqual({
      Statement: [{
        Principal: { AWS: ['arn:aws:iam::111111111111:root', 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      }],
    });
    expect(withPartitionWrittenOut(inRegion('cn-north-1'), root)).toBe('arn:aws-cn:iam::111111111111:root');
    expect(withPartitionWrittenOut(inRegion('us-gov-west-1'), deployer)).toBe('arn:aws-us-gov:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1');
  });

  test('references and other pseudo parameters stay: a Join keeps its unknown parts, a Sub its other variables, ${!Literal} its text', () => {
    const stack = inRegion('eu-west-1');
    expect(withPartitionWrittenOut(stack, { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }]] }))
      .toEqual({ 'Fn::Join': ['', ['arn:', 'aws', ':s3:::', { Ref: 'Bucket' }]] });
    expect(withPartitionWrittenOut(stack, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' }))
      .toEqual({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' });
    expect(withPartitionWrittenOut(stack, { 'Fn::Sub': 'arn:${AWS::Partition}:x:${!Literal}' })).toBe('arn:aws:x:${Literal}');
    expect(withPartitionWrittenOut(stack, { 'Fn::GetAtt': ['Role', 'Arn'] })).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
  });

  test('unchanged where the stack\'s Region is a token or unknown to aws-cdk-lib', () => {
    expect(withPartitionWrittenOut(inRegion(), root)).toEqual(root);
    expect(withPartitionWrittenOut(inRegion('xx-nowhere-9'), root)).toEqual(root);
  });

  test('a key\'s template holds the written-out policy, and the size check measures exactly it', () => {
    const stack = inRegion('eu-west-1');
    new EncryptionKey(stack, 'Key');
    const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy;
    expect(JSON.stringify(policy)).not.toContain('AWS::Partition');
    expect(estimatePolicySize(stack, policy)).toBe(Buffer.byteLength(JSON.stringify(policy), 'utf8'));
    // an environment-agnostic stack keeps the partition as CloudFormation's to say
    const agnostic = inRegion();
    new EncryptionKey(agnostic, 'Key');
    expect(JSON.stringify(Template.fromStack(agnostic).toJSON())).toContain('AWS::Partition');
  });
});

describe('estimatePolicySize', () => {
  const stack = new Stack(new App(), 'S');

  test('a literal document counts its JSON bytes (multi-byte characters included)', () => {
    const document = { Version: '2012-10-17', Statement: [{ Sid: 'Ünïcode', Action: 'kms:Decrypt' }] };
    expect(estimatePolicySize(stack, document)).toBe(Buffer.byteLength(JSON.stringify(document), 'utf8'));
  });

  test('pseudo parameters count at their longest value where the stack has no Region', () => {
    const value = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/x-${Aws.REGION}`;
    const longest = 'arn:aws-us-gov:iam::123456789012:role/x-us-isof-south-1';
    expect(estimatePolicySize(stack, { v: value })).toBe(JSON.stringify({ v: longest }).length);
  });

  test(`a reference to a resource that is not a role or user counts ${REFERENCE_SIZE_ESTIMATE} bytes (the longest ARN)`, () => {
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

/**
 * The size check at KMS's limit, against the real policy: the synthesized template's key policy
 * with every intrinsic resolved (test/harness/intrinsics.ts, partition `aws`), minified.
 */
describe('estimatePolicySize at the limit, against real rendered policies', () => {
  const ENV = { account: '111111111111', region: 'eu-west-1' };

  /**
   * A key whose policy names `count` roles (`arn:${AWS::Partition}:...`, 12-character names), the
   * last one's name `lastNameLength` characters long.
   */
  function keyWithGrantees(count: number, lastNameLength: number, env: { account?: string; region?: string } | undefined = ENV) {
    const app = new App();
    const keyStack = new Stack(app, 'Keys', { env });
    const key = new EncryptionKey(keyStack, 'Key');
    for (let i = 0; i < count; i++) {
      const name = i === count - 1 ? `r${'x'.repeat(lastNameLength - 1)}` : `r${String(i).padStart(11, '0')}`;
      key.grantDecrypt(new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${ENV.account}:role/${name}`));
    }
    return { app, keyStack, key };
  }

  /** The policy as KMS receives it in the `aws` partition: every intrinsic resolved, minified. */
  function realBytes(keyStack: Stack, key: EncryptionKey): number {
    const policy = keyStack.resolve(key.keyPolicy.toJSON());
    const stack = { stackName: keyStack.stackName, account: ENV.account, region: ENV.region, template: { Resources: {} }, stack: keyStack };
    return Buffer.byteLength(JSON.stringify(resolveIntrinsics(policy, { stack })), 'utf8');
  }

  /** The grantee count and last name length whose real policy is exactly `bytes` long. */
  function sizedTo(bytes: number): { count: number; last: number } {
    const probe = keyWithGrantees(100, 12);
    const base = realBytes(probe.keyStack, probe.key);
    const perRole = 46; // "arn:aws:iam::111111111111:role/r00000000001", with quotes and comma
    const count = 100 + Math.floor((bytes - base) / perRole);
    return { count, last: 12 + (bytes - base - (count - 100) * perRole) };
  }

  /** Synthesizes; the error, if any. */
  function synthError(count: number, last: number, env?: { account?: string; region?: string }): string | undefined {
    try {
      keyWithGrantees(count, last, env).app.synth();
      return undefined;
    } catch (err) {
      return String(err);
    }
  }

  test('a policy of exactly 32,768 bytes passes, one of 32,769 is refused (Region known: exact)', () => {
    const { count, last } = sizedTo(KEY_POLICY_MAX_BYTES);
    expect(last).toBeLessThanOrEqual(64);
    const fits = keyWithGrantees(count, last);
    expect(realBytes(fits.keyStack, fits.key)).toBe(KEY_POLICY_MAX_BYTES);
    expect(estimatePolicySize(fits.keyStack, fits.keyStack.resolve(fits.key.keyPolicy.toJSON()))).toBe(KEY_POLICY_MAX_BYTES);
    expect(synthError(count, last)).toBeUndefined();

    const over = keyWithGrantees(count, last + 1);
    expect(realBytes(over.keyStack, over.key)).toBe(KEY_POLICY_MAX_BYTES + 1);
    expect(synthError(count, last + 1)).toMatch(/is about 32769 bytes, over KMS's limit of 32768/);
  });

  test('where the Region is not known, the longest partition counts: a policy that could exceed the limit is refused', () => {
    const { count, last } = sizedTo(KEY_POLICY_MAX_BYTES);
    // 32,768 bytes in `aws`; in aws-us-gov every `arn:aws:` would be 7 bytes longer
    expect(synthError(count, last, { account: ENV.account })).toMatch(/over KMS's limit of 32768/);
    const { count: small, last: smallLast } = sizedTo(KEY_POLICY_MAX_BYTES - 8 * 720);
    expect(synthError(small, smallLast, { account: ENV.account })).toBeUndefined();
  });

  test('GovCloud: the partition of the Region counts', () => {
    const stack = new Stack(new App(), 'Gov', { env: { account: ENV.account, region: 'us-gov-west-1' } });
    expect(estimatePolicySize(stack, { v: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root` })).toBe(JSON.stringify({ v: 'arn:aws-us-gov:iam::111111111111:root' }).length);
  });

  test('a role of the stack: exact with a literal name, at IAM\'s longest name (64) when generated', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const named = new iam.Role(stack, 'Named', { roleName: 'orders', path: '/app/', assumedBy: new iam.AccountRootPrincipal() });
    const generated = new iam.Role(stack, 'Generated', { assumedBy: new iam.AccountRootPrincipal() });
    expect(estimatePolicySize(stack, { v: named.roleArn })).toBe(JSON.stringify({ v: 'arn:aws:iam::111111111111:role/app/orders' }).length);
    expect(estimatePolicySize(stack, { v: generated.roleArn })).toBe(JSON.stringify({ v: `arn:aws:iam::111111111111:role/${'n'.repeat(64)}` }).length);
    expect(estimatePolicySize(stack, { v: generated.roleName })).toBe(JSON.stringify({ v: 'n'.repeat(64) }).length);
  });
});
