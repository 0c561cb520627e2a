import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { EncryptionKey, SecureStringParameter, SecureStringValue } from '../../src';
import { formatFindings, nagFindings } from '../harness/compliance';
import { expectAccess, PolicyWorld } from '../harness/simulate';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const VIA_SSM = { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' };
const CIPHERTEXT = Buffer.from('AQICAHh-a-fake-but-well-formed-ciphertext-blob-for-tests').toString('base64');

function newStack(): Stack {
  return new Stack(new App(), 'S', { env: ENV });
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
    expect(ssmStatement.Action).toEqual(['ssm:AddTagsToResource', 'ssm:GetParameter', 'ssm:PutParameter', 'ssm:RemoveTagsFromResource']);
    const random = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Action === 'kms:GenerateRandom');
    expect(random.Resource).toBe('*');
  });

  const cases: Array<[string, (s: Stack) => unknown, RegExp]> = [
    ['a reserved name', s => new SecureStringParameter(s, 'P', { parameterName: '/aws/x', value: SecureStringValue.generated() }), /parameterName must not start with aws or ssm \(reserved\), got '\/aws\/x'/],
    ['a name with spaces', s => new SecureStringParameter(s, 'P', { parameterName: 'my param', value: SecureStringValue.generated() }), /parameterName may contain only letters, digits and _.-\//],
    ['a hierarchy without a leading slash', s => new SecureStringParameter(s, 'P', { parameterName: 'a/b', value: SecureStringValue.generated() }), /parameterName must start with \/ when it has a hierarchy/],
    ['16 levels', s => new SecureStringParameter(s, 'P', { parameterName: '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/'), value: SecureStringValue.generated() }), /at most 15 levels/],
    ['a generated value longer than the handler makes', () => SecureStringValue.generated({ length: 5000 }), /length must be a whole number from 1 to 4096, got 5000/],
    ['a length of zero', () => SecureStringValue.generated({ length: 0 }), /length must be a whole number from 1 to 4096, got 0/],
    ['repeated characters', () => SecureStringValue.generated({ characters: 'aab' }), /characters must hold 2 to 256 distinct characters, each once/],
    ['one character', () => SecureStringValue.generated({ characters: 'a' }), /characters must hold 2 to 256 distinct characters/],
    ['a ciphertext that is not base64', () => SecureStringValue.fromCiphertext('not base64!'), /ciphertextBase64 must be base64/],
    ['a ciphertext too large', () => SecureStringValue.fromCiphertext(Buffer.alloc(7000).toString('base64')), /ciphertextBase64 must decode to at most 6144 bytes/],
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
});
