import { App, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as fc from 'fast-check';
import { expectAccess, PolicyWorld, resetSimulationCount, resolveIntrinsics, simulationCount } from './simulate';
import type { SynthesizedStack } from './simulate';

const KEY_ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const VIA_S3 = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
const KMS_ALL_ON_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };

/** GIVEN a key whose policy lets one role decrypt through S3 only, and that role's IAM policy. */
function viaServiceFixture(keyPolicyStatements?: object[]) {
  const app = new App();
  const stack = new Stack(app, 'KeyStack', { env: { account: KEY_ACCOUNT, region: REGION } });
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const key = new kms.CfnKey(stack, 'Key', {
    keyPolicy: {
      Version: '2012-10-17',
      Statement: keyPolicyStatements ?? [{
        Sid: 'ReaderDecryptThroughS3',
        Effect: 'Allow',
        Principal: { AWS: reader.roleArn },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: VIA_S3 },
      }],
    },
  });
  new iam.Policy(stack, 'ReaderPolicy', {
    roles: [reader],
    statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.attrArn] })],
  });
  return { stack, reader, key, world: PolicyWorld.fromStacks([stack]) };
}

describe('PolicyWorld', () => {
  test('resolves the key ARN, key policy and identity policies from the synthesized template', () => {
    // GIVEN
    const { stack, reader, key, world } = viaServiceFixture();
    const keyId = stack.getLogicalId(key);
    const roleId = stack.getLogicalId(reader.node.defaultChild as iam.CfnRole);

    // THEN
    expect(world.keyArn(key)).toEqual(`arn:aws:kms:${REGION}:${KEY_ACCOUNT}:key/${keyId}`);
    expect(world.principalArn(reader)).toEqual(`arn:aws:iam::${KEY_ACCOUNT}:role/${roleId}`);
    expect(world.keyPolicy(key)).toEqual({
      Version: '2012-10-17',
      Statement: [expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${KEY_ACCOUNT}:role/${roleId}` } })],
    });
    expect(world.identityPolicies(reader)).toEqual([{
      name: expect.stringContaining('ReaderPolicy'),
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: world.keyArn(key) }] },
    }]);
    expect(world.resolve(key.attrArn, key)).toEqual(world.keyArn(key));
  });

  test('a role allowed kms:Decrypt only through S3 is denied everything else', async () => {
    // GIVEN
    const { reader, key, world } = viaServiceFixture();
    resetSimulationCount();

    // WHEN
    const count = await expectAccess(world, [
      { label: 'reader through S3', principal: reader, action: 'kms:Decrypt', key, context: VIA_S3, expect: 'allow' },
      { label: 'reader directly', principal: reader, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'reader through SQS', principal: reader, action: 'kms:Decrypt', key, context: { 'kms:ViaService': `sqs.${REGION}.amazonaws.com` }, expect: 'deny' },
      { label: 'reader encrypts', principal: reader, action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom'], key, context: VIA_S3, expect: 'deny' },
      {
        label: 'undeclared role with kms:* in IAM',
        principal: `arn:aws:iam::${KEY_ACCOUNT}:role/Undeclared`,
        extraIdentityPolicies: [KMS_ALL_ON_ALL],
        action: ['kms:Decrypt', 'kms:Encrypt', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
        key,
        context: VIA_S3,
        expect: 'deny',
      },
      { label: 'account root', principal: KEY_ACCOUNT, action: 'kms:PutKeyPolicy', key, expect: 'deny' },
    ]);

    // THEN
    expect(count).toBe(11);
    expect(simulationCount()).toBe(11);
  });

  test('catches an over-permissive key policy and lists every difference', async () => {
    // GIVEN a key policy that lets anyone do anything
    const { reader, key, world } = viaServiceFixture([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }]);

    // WHEN / THEN
    const run = expectAccess(world, [
      { label: 'reader through S3', principal: reader, action: 'kms:Decrypt', key, context: VIA_S3, expect: 'allow' },
      { label: 'reader directly', principal: reader, action: 'kms:Decrypt', key, expect: 'deny' },
      { principal: `arn:aws:iam::${KEY_ACCOUNT}:role/Undeclared`, extraIdentityPolicies: [KMS_ALL_ON_ALL], action: 'kms:ScheduleKeyDeletion', key, expect: 'deny' },
    ]);
    await expect(run).rejects.toThrow(/2 of 3 simulated KMS requests did not get the expected decision/);
    await expect(run).rejects.toThrow(/reader directly\s+\| kms:Decrypt\s+\| -\s+\| deny\s+\| Allowed/);
    await expect(run).rejects.toThrow(/arn:aws:iam::111111111111:role\/Undeclared \| kms:ScheduleKeyDeletion \| -\s+\| deny\s+\| Allowed/);
  });

  test('a role in another stack gets its key ARN through Fn::ImportValue', async () => {
    // GIVEN a key in stack A that delegates to IAM, and a role in stack B whose policy names the key
    const app = new App();
    const env = { account: KEY_ACCOUNT, region: REGION };
    const keyStack = new Stack(app, 'KeyStack', { env });
    const key = new kms.Key(keyStack, 'Key');
    const appStack = new Stack(app, 'AppStack', { env });
    const writer = new iam.Role(appStack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    writer.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Encrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }));
    const world = PolicyWorld.fromStacks([keyStack, appStack]);

    // THEN the reference crosses stacks as an import, and resolves to the key's ARN
    const policy = world.stacks[1].template.Resources?.[appStack.getLogicalId(writer.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy)];
    expect(JSON.stringify(policy)).toContain('Fn::ImportValue');
    expect(world.identityPolicies(writer)[0].policy.Statement).toEqual([expect.objectContaining({ Resource: world.keyArn(key) })]);
    await expectAccess(world, [
      { principal: writer, action: ['kms:Encrypt', 'kms:GenerateDataKey'], key, expect: 'allow' },
      { principal: writer, action: ['kms:Decrypt', 'kms:ScheduleKeyDeletion'], key, expect: 'deny' },
      { principal: `arn:aws:iam::${KEY_ACCOUNT}:role/Undeclared`, action: 'kms:Encrypt', key, expect: 'deny' },
    ]);
  });

  test('an explicitly named export is looked up among all stacks', () => {
    // GIVEN
    const app = new App();
    const keyStack = new Stack(app, 'Exporter');
    const key = new kms.CfnKey(keyStack, 'Key', {});
    new CfnOutput(keyStack, 'KeyArn', { value: key.attrArn, exportName: 'shared-key-arn' });
    const importer = new Stack(app, 'Importer');
    const role = new iam.Role(importer, 'Role', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'importer-role' });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [Fn.importValue('shared-key-arn')] }));

    // WHEN
    const world = PolicyWorld.fromStacks([keyStack, importer]);

    // THEN
    expect(world.principalArn(role)).toEqual('arn:aws:iam::123456789012:role/importer-role');
    expect(world.identityPolicies(role)[0].policy.Statement).toEqual([expect.objectContaining({ Resource: world.keyArn(key) })]);
    expect(() => PolicyWorld.fromStacks([importer]).identityPolicies(role)).toThrow(/no stack exports "shared-key-arn".*Include the exporting stack/);
  });

  test('cross-account: allowed only when the key policy names the role AND its IAM policy allows', async () => {
    // GIVEN a key in account 111111111111 and roles in 222222222222
    const app = new App();
    const keyStack = new Stack(app, 'KeyStack', { env: { account: KEY_ACCOUNT, region: REGION } });
    const consumerArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/Consumer`;
    const noIamArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/NamedWithoutIam`;
    const key = new kms.CfnKey(keyStack, 'Key', {
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${KEY_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'Consumers', Effect: 'Allow', Principal: { AWS: [consumerArn, noIamArn] }, Action: 'kms:Decrypt', Resource: '*' },
        ],
      },
    });
    const consumerStack = new Stack(app, 'ConsumerStack', { env: { account: OTHER_ACCOUNT, region: REGION } });
    const keyArn = `arn:aws:kms:${REGION}:${KEY_ACCOUNT}:key/${keyStack.getLogicalId(key)}`;
    const decryptTheKey = new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt'], resources: [keyArn] });
    const consumer = new iam.Role(consumerStack, 'Consumer', { roleName: 'Consumer', assumedBy: new iam.AccountRootPrincipal() });
    consumer.addToPolicy(decryptTheKey);
    const unnamed = new iam.Role(consumerStack, 'Unnamed', { roleName: 'Unnamed', assumedBy: new iam.AccountRootPrincipal() });
    unnamed.addToPolicy(decryptTheKey);
    new iam.Role(consumerStack, 'NamedWithoutIam', { roleName: 'NamedWithoutIam', assumedBy: new iam.AccountRootPrincipal() });
    const world = PolicyWorld.fromStacks([keyStack, consumerStack]);

    // THEN
    expect(world.keyArn(key)).toEqual(keyArn);
    const outcome = await world.simulateDetailed({ principal: consumer, action: 'kms:Decrypt', key });
    expect(outcome).toMatchObject({
      decision: 'Allowed',
      principalAccount: OTHER_ACCOUNT,
      keyAccount: KEY_ACCOUNT,
      context: expect.objectContaining({ 'kms:CallerAccount': OTHER_ACCOUNT, 'aws:PrincipalAccount': OTHER_ACCOUNT, 'aws:ResourceAccount': KEY_ACCOUNT }),
    });
    await expectAccess(world, [
      { label: 'named + IAM', principal: consumer, action: 'kms:Decrypt', key, expect: 'allow' },
      { label: 'named + IAM, action not in key policy', principal: consumer, action: 'kms:Encrypt', key, expect: 'deny' },
      { label: 'IAM only', principal: unnamed, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'named only (by ARN)', principal: noIamArn, action: 'kms:Decrypt', key, expect: 'deny' },
      { label: 'named, IAM given by the test', principal: noIamArn, extraIdentityPolicies: [KMS_ALL_ON_ALL], action: 'kms:Decrypt', key, expect: 'allow' },
      { label: 'the same ARN as a string', principal: consumerArn, action: 'kms:Decrypt', key: keyArn, expect: 'allow' },
    ]);
  });

  test('service principals and encryption context conditions', async () => {
    // GIVEN a key CloudWatch Logs may use for log groups of its own account only
    const app = new App();
    const stack = new Stack(app, 'LogsKey', { env: { account: KEY_ACCOUNT, region: REGION } });
    const key = new kms.CfnKey(stack, 'Key', {
      keyPolicy: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: `logs.${REGION}.amazonaws.com` },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${KEY_ACCOUNT}:log-group:*` } },
        }],
      },
    });
    const world = PolicyWorld.fromStacks([stack]);
    const ownLogGroup = { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${KEY_ACCOUNT}:log-group:app` };

    // THEN
    await expectAccess(world, [
      { principal: `logs.${REGION}.amazonaws.com`, action: ['kms:Encrypt', 'kms:GenerateDataKey'], key, context: ownLogGroup, expect: 'allow' },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:Encrypt', key, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:app` }, expect: 'deny' },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:Encrypt', key, expect: 'deny' },
      { principal: `logs.${REGION}.amazonaws.com`, action: 'kms:ScheduleKeyDeletion', key, context: ownLogGroup, expect: 'deny' },
      { principal: 'sns.amazonaws.com', action: 'kms:Encrypt', key, context: ownLogGroup, expect: 'deny' },
    ]);
    const outcome = await world.simulateDetailed({ principal: `logs.${REGION}.amazonaws.com`, action: 'kms:Encrypt', key, context: ownLogGroup });
    expect(outcome.encryptionContextReevaluated).toBe(true);
    await expect(world.simulate({ principal: 'logs.amazonaws.com', action: 'kms:Encrypt', key, extraIdentityPolicies: [KMS_ALL_ON_ALL] }))
      .rejects.toThrow(/service principal: it has no identity policies/);
  });

  test('identity policies come from managed policies, groups and role sessions too', async () => {
    // GIVEN a key that delegates to IAM, and principals whose permissions come by several routes
    const app = new App();
    const stack = new Stack(app, 'Identities', { env: { account: KEY_ACCOUNT, region: REGION } });
    const key = new kms.Key(stack, 'Key');
    const decrypt = new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] });
    const operator = new iam.Role(stack, 'Operator', { roleName: 'operator', assumedBy: new iam.AccountRootPrincipal() });
    new iam.ManagedPolicy(stack, 'DecryptPolicy', { statements: [decrypt], roles: [operator] });
    operator.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    const auditors = new iam.Group(stack, 'Auditors');
    auditors.addToPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [key.keyArn] }));
    const auditor = new iam.User(stack, 'Auditor', { groups: [auditors] });
    const readOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' }] };

    // WHEN
    const world = PolicyWorld.fromStacks([stack]);
    const knowing = PolicyWorld.fromStacks([stack], { managedPolicies: { 'arn:aws:iam::aws:policy/ReadOnlyAccess': readOnly } });

    // THEN
    const outcome = await world.simulateDetailed({ principal: operator, action: 'kms:GetKeyPolicy', key });
    expect(outcome).toMatchObject({ decision: 'ImplicitlyDenied', unmodelledManagedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    await expectAccess(world, [
      { label: 'managed policy', principal: operator, action: 'kms:Decrypt', key, expect: 'allow' },
      { label: 'role session', principal: `arn:aws:sts::${KEY_ACCOUNT}:assumed-role/operator/session-1`, action: 'kms:Decrypt', key, expect: 'allow' },
      { label: 'group policy', principal: auditor, action: 'kms:DescribeKey', key, expect: 'allow' },
      { label: 'group policy, other action', principal: auditor, action: 'kms:Decrypt', key, expect: 'deny' },
    ]);
    await expectAccess(knowing, [{ label: 'AWS managed policy supplied', principal: operator, action: 'kms:GetKeyPolicy', key, expect: 'allow' }]);
  });

  test('a world built from a cloud assembly names resources by stack and logical id', async () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'FromAssembly', { env: { account: KEY_ACCOUNT, region: REGION } });
    const key = new kms.Key(stack, 'Key');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    key.grantEncrypt(role);
    const keyRef = { stackName: 'FromAssembly', logicalId: stack.getLogicalId(key.node.defaultChild as kms.CfnKey) };
    const roleRef = { stackName: 'FromAssembly', logicalId: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) };

    // WHEN
    const world = PolicyWorld.fromAssembly(app.synth());

    // THEN
    expect(world.keyArn(keyRef)).toEqual(`arn:aws:kms:${REGION}:${KEY_ACCOUNT}:key/${keyRef.logicalId}`);
    await expectAccess(world, [
      { principal: roleRef, action: ['kms:Encrypt', 'kms:GenerateDataKey'], key: keyRef, expect: 'allow' },
      { principal: roleRef, action: 'kms:Decrypt', key: keyRef, expect: 'deny' },
    ]);
    expect(() => world.keyArn(key)).toThrow(/not part of this PolicyWorld/);
  });

  test('requests that cannot be simulated are reported, not counted as denials', async () => {
    // GIVEN
    const { reader, key, world } = viaServiceFixture();
    const elsewhere = new Stack(new App(), 'Elsewhere');
    const stranger = new iam.Role(elsewhere, 'Stranger', { assumedBy: new iam.AccountRootPrincipal() });

    // THEN
    await expect(expectAccess(world, [
      { label: 'typo', principal: reader, action: 'kms:Decrpyt', key, expect: 'deny' },
      { label: 'bad policy', principal: reader, action: 'kms:Decrypt', key, extraIdentityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Alow', Action: 'kms:*', Resource: '*' }] }], expect: 'deny' },
    ])).rejects.toThrow(/typo .*error: iam-simulate rejected the request.*invalid\.action[\s\S]*bad policy .*Effect must be present/);
    await expect(world.simulate({ principal: stranger, action: 'kms:Decrypt', key })).rejects.toThrow(/not part of this PolicyWorld/);
    await expect(world.simulate({ principal: reader, action: 'kms:*', key })).rejects.toThrow(/single KMS action/);
    expect(() => world.keyArn(reader)).toThrow(/should be a KMS key/);
    await expect(world.simulate({ principal: 'not-a-principal', action: 'kms:Decrypt', key })).rejects.toThrow(/principal must be/);
  });
});

describe('resolveIntrinsics', () => {
  const exporter: SynthesizedStack = {
    stackName: 'Exporter',
    account: KEY_ACCOUNT,
    region: 'eu-west-1',
    template: {
      Resources: {
        Key: { Type: 'AWS::KMS::Key' },
        Replica: { Type: 'AWS::KMS::ReplicaKey' },
        Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/app', TargetKeyId: { Ref: 'Key' } } },
        User: { Type: 'AWS::IAM::User' },
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'named', Path: '/team/' } },
        Queue: { Type: 'AWS::SQS::Queue' },
        Volume: { Type: 'AWS::EC2::Volume' },
      },
      Outputs: { Out: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-KeyArn' } } } },
      Conditions: { InIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } },
    },
  };
  const importer: SynthesizedStack = { stackName: 'Importer', account: OTHER_ACCOUNT, region: REGION, template: { Resources: {} } };
  const ctx = { stack: exporter, stacks: [exporter, importer] };

  test('pseudo parameters, Ref, GetAtt, Sub, Join, Select, Split, If and ImportValue', () => {
    expect(resolveIntrinsics({
      partition: { Ref: 'AWS::Partition' },
      key: { Ref: 'Key' },
      keyArn: { 'Fn::GetAtt': 'Key.Arn' },
      replica: { 'Fn::GetAtt': ['Replica', 'Arn'] },
      alias: { Ref: 'Alias' },
      user: { 'Fn::GetAtt': ['User', 'Arn'] },
      role: { 'Fn::Sub': 'role ${Role} is ${Role.Arn} in ${AWS::Region}, literal ${!Keep}' },
      roleWithVars: { 'Fn::Sub': ['${X}/${Role}', { X: { Ref: 'AWS::AccountId' } }] },
      queue: { Ref: 'Queue' },
      volume: [{ Ref: 'Volume' }, { 'Fn::GetAtt': ['Volume', 'VolumeId'] }],
      joined: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b']] },
      second: { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Key', 'Arn'] }] }] },
      branch: { 'Fn::If': ['InIreland', 'yes', 'no'] },
      dropped: { 'Fn::If': ['InIreland', { Ref: 'AWS::NoValue' }, 'kept'] },
    }, ctx)).toEqual({
      partition: 'aws',
      key: 'Key',
      keyArn: 'arn:aws:kms:eu-west-1:111111111111:key/Key',
      replica: 'arn:aws:kms:eu-west-1:111111111111:key/Replica',
      alias: 'alias/app',
      user: 'arn:aws:iam::111111111111:user/User',
      role: 'role named is arn:aws:iam::111111111111:role/team/named in eu-west-1, literal ${Keep}',
      roleWithVars: '111111111111/named',
      queue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/Queue',
      volume: ['arn:aws:ec2:eu-west-1:111111111111:Volume', 'arn:aws:ec2:eu-west-1:111111111111:Volume/VolumeId'],
      joined: 'arn:aws:s3:::b',
      second: 'Key',
      branch: 'yes',
    });
    // resolved in the exporting stack, whichever stack imports it
    expect(resolveIntrinsics({ 'Fn::ImportValue': 'Exporter-KeyArn' }, { stack: importer, stacks: [exporter, importer] }))
      .toEqual('arn:aws:kms:eu-west-1:111111111111:key/Key');
  });

  test('fails loudly on what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, ctx)).toThrow(/Missing is neither a pseudo parameter, a parameter nor a resource of stack Exporter/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'nope' }, ctx)).toThrow(/no stack exports "nope".*Exporter-KeyArn \(Exporter\)/);
    expect(() => resolveIntrinsics({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, ctx)).toThrow(/Fn::Cidr is not supported/);
    const stack = new Stack();
    expect(() => resolveIntrinsics(stack.account, ctx)).toThrow(/unresolved CDK token/);
  });

  test('Select(i, Split(d, Join(d, parts))) is parts[i] for any parts', () => {
    fc.assert(fc.property(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ':', '-') }), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      (parts, n) => {
        const i = n % parts.length;
        const joined = { 'Fn::Join': ['/', parts] };
        return resolveIntrinsics({ 'Fn::Select': [i, { 'Fn::Split': ['/', joined] }] }, ctx) === parts[i];
      },
    ));
  });
});
