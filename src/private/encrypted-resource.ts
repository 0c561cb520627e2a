import { Annotations, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { invalid } from './validation';
import { EncryptionKey } from '../keys/encryption-key';
import { IEncryptionKey } from '../keys/encryption-key-base';

/**
 * Shared scaffolding of the encrypted-resource constructs (bucket, volume, secret, parameter, EBS
 * default, and the database and trail constructs to come): the key check that runs before anything
 * is created, the default key, and the removal-policy warning. Never exported from the package.
 */

/**
 * Checks a given key before the construct creates anything: symmetric (every integrated service
 * uses envelope encryption), and in the stack's Region where both are known.
 *
 * @param service the service, for the message (`S3`, `EBS`...)
 */
export function checkEncryptionKey(scope: Construct, prop: string, key: IEncryptionKey | undefined, service: string): void {
  if (!key) return;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    invalid(prop, `must be a SYMMETRIC_DEFAULT key (${service} supports only symmetric keys)`, key.keySpec);
  }
  const region = Stack.of(scope).region;
  const keyRegion = key.env.region;
  if (!Token.isUnresolved(region) && !Token.isUnresolved(keyRegion) && keyRegion !== region) {
    invalid(prop, `must be a key in the stack's Region ${region} (${service} uses keys of its own Region only)`, keyRegion);
  }
}

/** The given key, or a new `EncryptionKey` with the library's defaults under `scope`. */
export function encryptionKeyOrDefault(scope: Construct, key: IEncryptionKey | undefined, description: string): IEncryptionKey {
  return key ?? new EncryptionKey(scope, 'Key', { description });
}

/** What a construct keeps when it leaves the stack, and what a user may choose. */
export interface RemovalPolicyRule {
  /** The warning id. */
  readonly warningId: string;
  /** What is lost, for the message ("the bucket is deleted when it leaves the stack"). */
  readonly consequence: string;
  /** Only DESTROY loses data (SNAPSHOT keeps it, or the resource has no other choice): only DESTROY warns. */
  readonly warnOnlyOnDestroy?: boolean;
}

/** The removal policy, RETAIN by default, with a warning when the user weakens it. */
export function removalPolicyOf(scope: Construct, removalPolicy: RemovalPolicy | undefined, rule: RemovalPolicyRule): RemovalPolicy {
  const policy = removalPolicy ?? RemovalPolicy.RETAIN;
  const weakened = rule.warnOnlyOnDestroy ? policy === RemovalPolicy.DESTROY : policy !== RemovalPolicy.RETAIN;
  if (weakened) {
    Annotations.of(scope).addWarningV2(rule.warningId, `removalPolicy is ${policy}: ${rule.consequence}`);
  }
  return policy;
}
