import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { KeyService } from '../../src/policy/key-service';

/** The services KeyService names, by static property. */
const NAMED = Object.entries(KeyService).filter((e): e is [string, KeyService] => e[1] instanceof KeyService);

let botocoreDir: string | undefined;

/** The `endpointPrefix` botocore's model of `service` declares (models ship with the preinstalled boto3). */
function botocoreEndpointPrefix(service: string): string | undefined {
  if (!botocoreDir) {
    try {
      botocoreDir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
    } catch (e) {
      throw new Error(`botocore's service models are needed (pip install boto3): ${(e as Error).message}`);
    }
  }
  const dir = botocoreDir;
  const serviceDir = path.join(dir, 'data', service);
  if (!fs.existsSync(serviceDir)) return undefined;
  const versions = fs.readdirSync(serviceDir).filter(v => /^\d{4}-/.test(v)).sort();
  const base = path.join(serviceDir, versions[versions.length - 1], 'service-2.json');
  const text = fs.existsSync(base) ? fs.readFileSync(base, 'utf8') : zlib.gunzipSync(fs.readFileSync(`${base}.gz`)).toString('utf8');
  return JSON.parse(text).metadata.endpointPrefix;
}

describe('KeyService', () => {
  test('names twelve services, each once', () => {
    expect(NAMED.map(([name]) => name).sort()).toEqual([
      'BACKUP', 'DYNAMODB', 'EC2', 'LAMBDA', 'LOGS', 'RDS', 'REDSHIFT', 'S3', 'SECRETS_MANAGER', 'SNS', 'SQS', 'SSM',
    ]);
    expect(new Set(NAMED.map(([, s]) => s.endpointPrefix)).size).toBe(NAMED.length);
  });

  test.each(NAMED)('%s is the endpoint prefix of a real AWS service (botocore\'s model)', (_name, service) => {
    expect(botocoreEndpointPrefix(service.endpointPrefix)).toBe(service.endpointPrefix);
  });

  test('viaService is <prefix>.<region>.amazonaws.com, as kms:ViaService names it', () => {
    expect(KeyService.S3.viaService('eu-west-1')).toBe('s3.eu-west-1.amazonaws.com');
    expect(KeyService.SECRETS_MANAGER.viaService('us-gov-west-1')).toBe('secretsmanager.us-gov-west-1.amazonaws.com');
  });

  test('a Region token resolves in the stack', () => {
    const stack = new Stack(new App(), 'S');
    expect(stack.resolve(KeyService.EC2.viaService(stack.region))).toEqual({ 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
  });
});

describe('KeyService.of', () => {
  test.each(['elasticfilesystem', 'execute-api', 'kinesis', 'a'])('%s is accepted', (prefix) => {
    const service = KeyService.of(prefix);
    expect(service.endpointPrefix).toBe(prefix);
    expect(service.viaService('eu-west-1')).toBe(`${prefix}.eu-west-1.amazonaws.com`);
  });

  test.each(['S3', '3s', '-s3', 's3.eu-west-1', 's3.amazonaws.com', '', 'a'.repeat(64), 's3_x'])('%j is refused', (prefix) => {
    expect(() => KeyService.of(prefix))
      .toThrow(`KeyService.of endpointPrefix must be lowercase letters, digits and hyphens starting with a letter, got '${prefix}'`);
  });

  test('63 characters are accepted (a DNS label)', () => {
    expect(KeyService.of(`a${'b'.repeat(62)}`).endpointPrefix).toHaveLength(63);
  });
});
