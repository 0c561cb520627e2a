import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Aws, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Fact, FactName } from 'aws-cdk-lib/region-info';
import { mockClient } from 'aws-sdk-client-mock';
import { IConstruct } from 'constructs';
import { EncryptionKey, SecureStringParameter, SecureStringValue } from '../../src';
import { decodeCiphertextBlob, MAX_CIPHERTEXT_BYTES, validateParameterName } from '../../src/parameters/private/secure-string-values';
import { handler } from '../../src/parameters/secure-string-parameter.lambda';
import { formatFindings, nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_SSM = { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' };
const OFFLINE_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ff';
const PARAMETER_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CIPHERTEXT = Buffer.from('AQICAHh-a-fake-but-well-formed-ciphertext-blob-for-tests').toString('base64');

function newStack(): Stack {
  return new Stack(new App(), 'S', { env: ENV });
}

/** Simulates requests of a principal of the world against its identity policies alone (no resource policy). */
function identitySimulator(world: PolicyWorld, principal: IConstruct) {
  const policies = world.identityPolicies(principal);
  return async (action: string, resource: string, context: Record<string, string | string[]> = {}) => {
    const response = await runSimulation({
      request: { principal: world.principalArn(principal), action, resource: { resource, accountId: '111111111111' }, contextVariables: context },
      identityPolicies: policies.map(p => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    if (response.resultType === 'error') throw new Error(JSON.stringify(response));
    return response.overallResult;
  };
}

describe('SecureStringParameter', () => {
  test('the value never reaches the template: only how to make it', () => {
    const stack = newStack();
    new SecureStringParameter(stack, 'Generated', { parameterName: '/orders/db/password', value: SecureStringValue.generated({ length: 40, characters: 'abcdef0123' }) });
    new SecureStringParameter(stack, 'FromCiphertext', {
      parameterName: '/orders/api-key',
      value: SecureStringValue.fromCiphertext(CIPHERTEXT, { encryptionContext: { app: 'orders' } }),
      tier: ssm.ParameterTier.ADVANCED,
      description: 'API key',
      tags: { team: 'orders' },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secret = new secretsmanager.Secret(stack, 'Upstream');
    new SecureStringParameter(stack, 'FromSecret', { parameterName: 'orders-token', value: SecureStringValue.fromSecret(secret, 'token') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::SecureStringParameter', {
      Name: '/orders/db/password',
      Tier: 'Standard',
      RemovalPolicy: 'retain',
      Source: { Type: 'generate', Length: '40', Characters: 'abcdef0123' },
      KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GeneratedKey'), 'Arn'] },
    });
    template.hasResourceProperties('Custom::SecureStringParameter', {
      Name: '/orders/api-key',
      Tier: 'Advanced',
      RemovalPolicy: 'destroy',
      Description: 'API key',
      Tags: { team: 'orders' },
      Source: { Type: 'ciphertext', CiphertextBlob: CIPHERTEXT, EncryptionContext: { app: 'orders' } },
    });
    template.hasResourceProperties('Custom::SecureStringParameter', { Source: { Type: 'secret', SecretArn: { Ref: Match.stringLikeRegexp('^Upstream') }, JsonField: 'token' } });
    // one handler for the three parameters, with no environment holding values
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Handler: 'index.handler' }, 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Environment: { Variables: { AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' } } });
    Annotations.fromStack(stack).hasWarning('/S/FromCiphertext', Match.stringLikeRegexp('removalPolicy is destroy'));
    const findings = nagFindings(stack).filter(f => !f.resourcePath.startsWith('S/Upstream'));
    if (findings.length > 0) throw new Error(formatFindings(findings));
  });

  test('readers decrypt through Parameter Store only; the handler may only do its job', async () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const key = new EncryptionKey(stack, 'Key');
    const parameter = new SecureStringParameter(stack, 'P', { parameterName: '/orders/db/password', value: SecureStringValue.generated(), encryptionKey: key });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    parameter.grantRead(reader);
    app.synth();
    expect(stack.resolve(parameter.parameterArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/orders/db/password']] });
    const handlerRole = stack.node.findChild('CdkKmsPatternsSecureStringParameterProvider').node.findChild('Role');
    await expectAccess(PolicyWorld.fromStacks([stack]), [
      { label: 'reader through SSM', principal: reader, key, action: 'kms:Decrypt', context: VIA_SSM, expect: 'allow' },
      { label: 'reader directly', principal: reader, key, action: ['kms:Decrypt', 'kms:Encrypt'], expect: 'deny' },
      { label: 'reader writes through SSM', principal: reader, key, action: ['kms:Encrypt', 'kms:GenerateDataKey'], context: VIA_SSM, expect: 'deny' },
      { label: 'handler writes through SSM', principal: handlerRole, key, action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], context: VIA_SSM, expect: 'allow' },
      { label: 'handler directly', principal: handlerRole, key, action: ['kms:Encrypt', 'kms:Decrypt'], expect: 'deny' },
      { label: 'handler administers', principal: handlerRole, key, action: ['kms:PutKeyPolicy', 'kms:CreateGrant'], context: VIA_SSM, expect: 'deny' },
    ]);
    const policy = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find(p => JSON.stringify(p.Properties.Roles).includes('CdkKmsPatternsSecureStringParameterProviderRole'));
    const ssmStatement = policy.Properties.PolicyDocument.Statement.find((s: any) => JSON.stringify(s.Action).includes('ssm:PutParameter'));
    expect(ssmStatement.Action).toEqual(['ssm:AddTagsToResource', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter', 'ssm:RemoveTagsFromResource']);
    expect(ssmStatement.Condition).toBeUndefined();
    const random = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Action === 'kms:GenerateRandom');
    expect(random.Resource).toBe('*');
  });

  test('fromCiphertext with a decryptionKey passes that key to the handler as Source.KeyId', () => {
    // GIVEN
    const stack = newStack();
    const decryptionKey = new EncryptionKey(stack, 'Offline');

    // WHEN
    new SecureStringParameter(stack, 'P', {
      parameterName: '/orders/api-key',
      value: SecureStringValue.fromCiphertext(CIPHERTEXT, { decryptionKey, encryptionContext: { app: 'orders' } }),
    });

    // THEN the handler decrypts with the given key, not the parameter's key
    Template.fromStack(stack).hasResourceProperties('Custom::SecureStringParameter', {
      KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PKey'), 'Arn'] },
      Source: {
        Type: 'ciphertext',
        CiphertextBlob: CIPHERTEXT,
        EncryptionContext: { app: 'orders' },
        KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Offline'), 'Arn'] },
      },
    });
  });

  test('the Source the construct writes makes the handler decrypt with the decryption key', async () => {
    // GIVEN a parameter whose ciphertext was made under an imported key
    const stack = newStack();
    const decryptionKey = EncryptionKey.fromKeyArn(stack, 'Offline', OFFLINE_KEY_ARN);
    new SecureStringParameter(stack, 'P', {
      parameterName: '/orders/api-key',
      value: SecureStringValue.fromCiphertext(CIPHERTEXT, { decryptionKey, encryptionContext: { app: 'orders' } }),
    });
    const properties = Object.values<any>(Template.fromStack(stack).findResources('Custom::SecureStringParameter'))[0].Properties;
    const kmsMock = mockClient(KMSClient);
    const ssmMock = mockClient(SSMClient);
    kmsMock.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from(Buffer.from('api-key-value')) });
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // WHEN the handler receives them (the parameter's key resolved to an ARN)
      await handler({
        RequestType: 'Create',
        ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
        ResponseURL: 'https://example.invalid/response',
        StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/S/1',
        RequestId: 'request-1',
        LogicalResourceId: 'P',
        ResourceType: 'Custom::SecureStringParameter',
        ResourceProperties: { ...properties, KeyId: PARAMETER_KEY_ARN },
      });

      // THEN KMS Decrypt names the decryption key and keeps the encryption context
      expect(kmsMock.commandCalls(DecryptCommand).map(c => c.args[0].input)).toEqual([{
        CiphertextBlob: Buffer.from(CIPHERTEXT, 'base64'),
        KeyId: OFFLINE_KEY_ARN,
        EncryptionContext: { app: 'orders' },
      }]);
      expect(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input.KeyId).toBe(PARAMETER_KEY_ARN);
    } finally {
      kmsMock.restore();
      ssmMock.restore();
      jest.restoreAllMocks();
    }
  });

  const cases: Array<[string, (s: Stack) => unknown, RegExp]> = [
    ['a reserved name', s => new SecureStringParameter(s, 'P', { parameterName: '/aws/x', value: SecureStringValue.generated() }),
      /parameterName must not start with "aws" or "ssm" \(any case, with or without a leading \/\): those are reserved by AWS, got '\/aws\/x'/],
    ['a name with spaces', s => new SecureStringParameter(s, 'P', { parameterName: 'my param', value: SecureStringValue.generated() }),
      /parameterName may contain only a-z, A-Z, 0-9, _ \. - and \/, got 'my param'/],
    ['a hierarchy without a leading slash', s => new SecureStringParameter(s, 'P', { parameterName: 'a/b', value: SecureStringValue.generated() }),
      /parameterName must start with \/ when it is in a hierarchy, got 'a\/b'/],
    ['16 levels', s => new SecureStringParameter(s, 'P', { parameterName: '/' + Array.from({ length: 17 }, (_, i) => `l${i}`).join('/'), value: SecureStringValue.generated() }),
      /parameterName may have at most 15 hierarchy levels above the parameter name \(this one has 16\)/],
    ['an empty hierarchy level', s => new SecureStringParameter(s, 'P', { parameterName: '/orders//password', value: SecureStringValue.generated() }),
      /parameterName must not contain an empty hierarchy level \(\/\/ or a trailing \/\), got '\/orders\/\/password'/],
    ['a trailing slash', s => new SecureStringParameter(s, 'P', { parameterName: '/orders/', value: SecureStringValue.generated() }),
      /parameterName must not contain an empty hierarchy level/],
    ['a name longer than SSM allows with the ARN prefix (the longest partition assumed)',
      s => new SecureStringParameter(s, 'P', { parameterName: `/${'a'.repeat(960)}`, value: SecureStringValue.generated() }),
      new RegExp('parameterName must be at most 960 characters: SSM allows 1011 counting the ARN prefix arn:aws-us-gov:ssm:eu-west-1:111111111111:parameter/ '
        + "\\(the longest partition, as the stack's partition is not known at synth\\), got '/a{960}'")],
    ['a name longer than 2048 characters', s => new SecureStringParameter(s, 'P', { parameterName: `/${'a'.repeat(2048)}`, value: SecureStringValue.generated() }),
      /parameterName must be 1 to 2048 characters, got '\/a+'/],
    ['a tag key of the ownership tags', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), tags: { 'cdk-kms-patterns:stack-id': 'x' } }),
      /tags keys must not start with cdk-kms-patterns: \(reserved for the parameter's ownership tags\), got 'cdk-kms-patterns:stack-id=x'/],
    ['49 tags', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, 'v'])) }),
      /tags may hold at most 48 tags \(SSM allows 50, two are the parameter's ownership tags\), got '49 tags'/],
    ['a generated value longer than the handler makes', () => SecureStringValue.generated({ length: 5000 }), /length must be a whole number from 1 to 4096, got 5000/],
    ['a length of zero', () => SecureStringValue.generated({ length: 0 }), /length must be a whole number from 1 to 4096, got 0/],
    ['repeated characters', () => SecureStringValue.generated({ characters: 'aab' }), /characters must hold 2 to 256 distinct characters, each once/],
    ['one character', () => SecureStringValue.generated({ characters: 'a' }), /characters must hold 2 to 256 distinct characters/],
    ['a ciphertext that is not base64', () => SecureStringValue.fromCiphertext('not base64!'), /ciphertextBase64 must be base64/],
    ['a ciphertext too large', () => SecureStringValue.fromCiphertext(Buffer.alloc(6145).toString('base64')), /ciphertextBase64 must decode to at most 6144 bytes \(a KMS ciphertext\), got '6145 bytes'/],
    ['intelligent tiering', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), tier: ssm.ParameterTier.INTELLIGENT_TIERING }), /tier must be STANDARD or ADVANCED/],
    ['a long description', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), description: 'x'.repeat(1025) }), /description must be at most 1024 characters/],
    ['an aws: tag', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), tags: { 'aws:x': 'y' } }), /tags keys must be 1 to 128 characters not starting with aws:/],
    ['an HMAC key', s => new SecureStringParameter(s, 'P', { parameterName: '/p', value: SecureStringValue.generated(), encryptionKey: new EncryptionKey(s, 'K', { keySpec: kms.KeySpec.HMAC_256 }) }),
      /encryptionKey must be a SYMMETRIC_DEFAULT key/],
  ];
  test.each(cases)('refuses %s', (_name, create, message) => {
    const stack = newStack();
    expect(() => create(stack)).toThrow(message);
    expect(stack.node.tryFindChild('P')).toBeUndefined();
  });

  describe('parameter names: the handler\'s rules, at synth', () => {
    const ARN_PREFIX_AWS = 'arn:aws:ssm:eu-west-1:111111111111:parameter/';

    test('the longest name the longest partition allows passes; one more character is refused', () => {
      // GIVEN the partition is a token: arn:aws-us-gov:ssm:eu-west-1:111111111111:parameter/ is 52 characters
      const stack = newStack();

      // WHEN / THEN 1011 - 52 = 959 characters after the leading slash
      expect(() => new SecureStringParameter(stack, 'Longest', { parameterName: `/${'a'.repeat(959)}`, value: SecureStringValue.generated() })).not.toThrow();
      expect(() => new SecureStringParameter(stack, 'TooLong', { parameterName: `/${'a'.repeat(960)}`, value: SecureStringValue.generated() }))
        .toThrow(/parameterName must be at most 960 characters/);
    });

    test('a partition registered while the app is built counts from the next parameter on (the longest partition is never cached)', () => {
      // GIVEN a first parameter checked against aws-us-gov, the longest partition aws-cdk-lib knows
      const stack = newStack();
      new SecureStringParameter(stack, 'First', { parameterName: `/${'a'.repeat(959)}`, value: SecureStringValue.generated() });
      // WHEN a Region of a longer partition is registered, as aws-cdk-lib lets apps do for Regions newer than it
      // (Fact.register is public): arn:aws-cdk-kms-test-partition:ssm:eu-west-1:111111111111:parameter/ is 68 characters
      Fact.register({ region: 'xx-cdkkmstest-1', name: FactName.PARTITION, value: 'aws-cdk-kms-test-partition' });
      try {
        // THEN the same name is refused: a cache of the first answer would pass a name too long for that partition
        expect(() => new SecureStringParameter(stack, 'Second', { parameterName: `/${'a'.repeat(959)}`, value: SecureStringValue.generated() }))
          .toThrow(/parameterName must be at most 944 characters: SSM allows 1011 counting the ARN prefix arn:aws-cdk-kms-test-partition:ssm:eu-west-1:111111111111:parameter\/ \(the longest partition/);
      } finally {
        Fact.unregister('xx-cdkkmstest-1', FactName.PARTITION);
      }
      // and once it is gone, the longest known partition is aws-us-gov again
      expect(() => new SecureStringParameter(stack, 'Third', { parameterName: `/${'a'.repeat(959)}`, value: SecureStringValue.generated() })).not.toThrow();
    });

    test('with partition literals the stack\'s own partition counts', () => {
      // GIVEN arn:aws:ssm:eu-west-1:111111111111:parameter/ (45 characters)
      const app = new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } });
      const stack = new Stack(app, 'S', { env: ENV });
      const longest = 1011 - ARN_PREFIX_AWS.length;

      // WHEN / THEN a name without a leading slash counts in full
      expect(() => new SecureStringParameter(stack, 'Longest', { parameterName: 'a'.repeat(longest), value: SecureStringValue.generated() })).not.toThrow();
      expect(() => new SecureStringParameter(stack, 'TooLong', { parameterName: 'a'.repeat(longest + 1), value: SecureStringValue.generated() }))
        .toThrow(`parameterName must be at most ${longest} characters: SSM allows 1011 counting the ARN prefix ${ARN_PREFIX_AWS}, got '${'a'.repeat(longest + 1)}'`);
    });

    test('without a concrete account and Region only the name itself is checked (the handler checks the ARN at deploy)', () => {
      const stack = new Stack(new App(), 'S');
      expect(() => new SecureStringParameter(stack, 'P', { parameterName: `/${'a'.repeat(1500)}`, value: SecureStringValue.generated() })).not.toThrow();
    });

    test('the construct refuses exactly the names the handler refuses', () => {
      const prefix = 'arn:aws-us-gov:ssm:eu-west-1:111111111111:parameter/';
      const names = ['/ok/name', 'plain.name-1_x', '/aws/x', 'SSMx', '/a//b', '/a/', 'a/b', 'with space', `/${'a'.repeat(959)}`, `/${'a'.repeat(960)}`,
        '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/'), '/' + Array.from({ length: 17 }, (_, i) => `l${i}`).join('/')];
      for (const name of names) {
        let handlerRefuses = false;
        try {
          validateParameterName(name, prefix);
        } catch {
          handlerRefuses = true;
        }
        const stack = newStack();
        const construct = () => new SecureStringParameter(stack, 'P', { parameterName: name, value: SecureStringValue.generated() });
        if (handlerRefuses) {
          expect(construct).toThrow(/^parameterName /);
        } else {
          expect(construct).not.toThrow();
        }
      }
    });

    test('the construct\'s ciphertext limit comes from the handler\'s module', () => {
      const valuesModule = '../../src/parameters/private/secure-string-values';
      let isolated!: typeof SecureStringValue;
      jest.isolateModules(() => {
        // GIVEN the handler's module allows 300 bytes
        jest.doMock(valuesModule, () => ({ ...jest.requireActual(valuesModule), MAX_CIPHERTEXT_BYTES: 300 }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        isolated = require('../../src/parameters/secure-string-parameter').SecureStringValue;
      });
      jest.dontMock(valuesModule);

      // WHEN / THEN
      expect(() => isolated.fromCiphertext(Buffer.alloc(300).toString('base64'))).not.toThrow();
      expect(() => isolated.fromCiphertext(Buffer.alloc(301).toString('base64'))).toThrow(/ciphertextBase64 must decode to at most 300 bytes/);
    });

    test('the ciphertext limit is the handler\'s: 6144 bytes pass, 6145 do not', () => {
      expect(() => SecureStringValue.fromCiphertext(Buffer.alloc(MAX_CIPHERTEXT_BYTES).toString('base64'))).not.toThrow();
      expect(() => decodeCiphertextBlob(Buffer.alloc(MAX_CIPHERTEXT_BYTES).toString('base64'))).not.toThrow();
      expect(() => SecureStringValue.fromCiphertext(Buffer.alloc(MAX_CIPHERTEXT_BYTES + 1).toString('base64'))).toThrow(/at most 6144 bytes/);
      expect(() => decodeCiphertextBlob(Buffer.alloc(MAX_CIPHERTEXT_BYTES + 1).toString('base64'))).toThrow(/at most 6144 bytes/);
    });
  });

  test('the handler may reach the parameters this resource created under other names, by their ownership tags only', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const parameter = new SecureStringParameter(stack, 'P', { parameterName: '/orders/db/password', value: SecureStringValue.generated(), removalPolicy: RemovalPolicy.DESTROY });

    // THEN the custom resource says its parameter carries ownership tags
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::SecureStringParameter', { OwnershipTags: 'true' });
    // ... and the handler's SSM rights on other names need the tags of this stack and this resource
    const logicalId = stack.resolve((parameter.resource.node.defaultChild as CfnResource).logicalId);
    const policy = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .find(p => JSON.stringify(p.Properties.Roles).includes('CdkKmsPatternsSecureStringParameterProviderRole'));
    const tagged = policy.Properties.PolicyDocument.Statement.filter((st: any) => st.Condition !== undefined && JSON.stringify(st.Action).includes('ssm:'));
    expect(tagged).toEqual([{
      Effect: 'Allow',
      Action: ['ssm:AddTagsToResource', 'ssm:DeleteParameter', 'ssm:GetParameter', 'ssm:ListTagsForResource', 'ssm:PutParameter', 'ssm:RemoveTagsFromResource'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/*']] },
      Condition: {
        StringEquals: {
          'aws:ResourceTag/cdk-kms-patterns:stack-id': { Ref: 'AWS::StackId' },
          'aws:ResourceTag/cdk-kms-patterns:logical-id': logicalId,
        },
      },
    }]);
    expect(logicalId).toMatch(/^P[0-9A-F]{8}$/);
  });

  test('simulated: after a rename the handler may still read and write the old parameter, by its tags, and no other', async () => {
    // GIVEN the template after renaming /orders/old to /orders/new
    const stack = newStack();
    const parameter = new SecureStringParameter(stack, 'P', { parameterName: '/orders/new', value: SecureStringValue.generated() });
    const world = PolicyWorld.fromStacks([stack]);
    const handlerRole = stack.node.findChild('CdkKmsPatternsSecureStringParameterProvider').node.findChild('Role');
    const logicalId = stack.resolve((parameter.resource.node.defaultChild as CfnResource).logicalId);
    const stackId = world.resolve(Aws.STACK_ID, stack) as string;
    const ours = { 'aws:ResourceTag/cdk-kms-patterns:stack-id': stackId, 'aws:ResourceTag/cdk-kms-patterns:logical-id': logicalId };
    const arn = (name: string) => `arn:aws:ssm:eu-west-1:111111111111:parameter/orders/${name}`;
    const simulate = identitySimulator(world, handlerRole);

    // THEN
    for (const action of ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:ListTagsForResource', 'ssm:AddTagsToResource', 'ssm:RemoveTagsFromResource']) {
      expect([action, await simulate(action, arn('new'), {})]).toEqual([action, 'Allowed']);
      expect([action, await simulate(action, arn('old'), ours)]).toEqual([action, 'Allowed']);
      expect([action, await simulate(action, arn('foreign'), {})]).toEqual([action, 'ImplicitlyDenied']);
      expect([action, await simulate(action, arn('other-resource'), { ...ours, 'aws:ResourceTag/cdk-kms-patterns:logical-id': 'Other' })])
        .toEqual([action, 'ImplicitlyDenied']);
      expect([action, await simulate(action, arn('other-stack'), { ...ours, 'aws:ResourceTag/cdk-kms-patterns:stack-id': 'arn:aws:cloudformation:eu-west-1:111111111111:stack/T/1' })])
        .toEqual([action, 'ImplicitlyDenied']);
    }
    expect(await simulate('ssm:DeleteParameter', arn('old'), ours)).toBe('ImplicitlyDenied');
  });

  test('simulated: the parameters of a stack share the handler\'s statements, and each keeps exactly its own rights', async () => {
    // GIVEN three parameters of one stack: two retained under two keys, one destroyed on removal
    const stack = newStack();
    const keyA = new EncryptionKey(stack, 'KeyA');
    const keyB = new EncryptionKey(stack, 'KeyB');
    const other = new EncryptionKey(stack, 'Other');
    const a = new SecureStringParameter(stack, 'A', { parameterName: '/orders/a', value: SecureStringValue.generated(), encryptionKey: keyA });
    const b = new SecureStringParameter(stack, 'B', { parameterName: '/orders/b', value: SecureStringValue.generated(), encryptionKey: keyB });
    const d = new SecureStringParameter(stack, 'D', { parameterName: '/orders/d', value: SecureStringValue.generated(), encryptionKey: keyA, removalPolicy: RemovalPolicy.DESTROY });
    const world = PolicyWorld.fromStacks([stack]);
    const handlerRole = stack.node.findChild('CdkKmsPatternsSecureStringParameterProvider').node.findChild('Role');
    const policies = world.identityPolicies(handlerRole);
    const idOf = (p: SecureStringParameter) => stack.resolve((p.resource.node.defaultChild as CfnResource).logicalId) as string;
    const stackId = world.resolve(Aws.STACK_ID, stack) as string;
    const tags = (p: SecureStringParameter | string) => ({
      'aws:ResourceTag/cdk-kms-patterns:stack-id': stackId,
      'aws:ResourceTag/cdk-kms-patterns:logical-id': typeof p === 'string' ? p : idOf(p),
    });
    const simulate = identitySimulator(world, handlerRole);
    const parameterArn = (name: string) => `arn:aws:ssm:eu-west-1:111111111111:parameter/orders/${name}`;
    const keyArn = (key: EncryptionKey) => world.keyArn(key);
    const viaSsm = { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com', 'kms:CallerAccount': '111111111111' };

    // THEN one statement per action set names the parameters' tags; one names their keys
    const statements = policies.flatMap(p => p.policy.Statement as any[]);
    const tagged = statements.filter(st => JSON.stringify(st.Condition ?? {}).includes('logical-id'));
    expect(tagged.map(st => st.Condition.StringEquals['aws:ResourceTag/cdk-kms-patterns:logical-id'])).toEqual([[idOf(a), idOf(b)], idOf(d)]);
    expect(statements.filter(st => JSON.stringify(st.Condition ?? {}).includes('ssm.eu-west-1'))).toHaveLength(1);
    // ... and each parameter keeps exactly its rights
    for (const action of ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:AddTagsToResource']) {
      for (const name of ['a', 'b', 'd']) expect([action, name, await simulate(action, parameterArn(name))]).toEqual([action, name, 'Allowed']);
      for (const p of [a, b, d]) expect([action, await simulate(action, parameterArn('renamed'), tags(p))]).toEqual([action, 'Allowed']);
      expect(await simulate(action, parameterArn('renamed'), tags('Foreign'))).toBe('ImplicitlyDenied');
      expect(await simulate(action, parameterArn('c'))).toBe('ImplicitlyDenied');
    }
    expect(await simulate('ssm:DeleteParameter', parameterArn('d'))).toBe('Allowed');
    expect(await simulate('ssm:DeleteParameter', parameterArn('renamed'), tags(d))).toBe('Allowed');
    for (const p of [a, b]) expect(await simulate('ssm:DeleteParameter', parameterArn('renamed'), tags(p))).toBe('ImplicitlyDenied');
    expect(await simulate('ssm:DeleteParameter', parameterArn('a'))).toBe('ImplicitlyDenied');
    // ... and, with the key policies, the handler uses the two keys through Parameter Store only
    for (const key of [keyA, keyB]) {
      expect(await world.simulate({ principal: handlerRole, action: 'kms:Encrypt', key, context: viaSsm })).toBe('Allowed');
      expect(await world.simulate({ principal: handlerRole, action: 'kms:Encrypt', key, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } }))
        .toBe('ImplicitlyDenied');
    }
    expect(await world.simulate({ principal: handlerRole, action: 'kms:Encrypt', key: other, context: viaSsm })).toBe('ImplicitlyDenied');
    // ... and the merged identity statement names exactly these two keys
    const kmsStatement = statements.find(st => JSON.stringify(st.Condition ?? {}).includes('ssm.eu-west-1'));
    expect([...kmsStatement.Resource].sort()).toEqual([keyArn(keyA), keyArn(keyB)].sort());
    // ... and the policy stays one inline policy (it overflowed into a managed policy at 10 parameters before)
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))).toEqual([]);
  });
});
