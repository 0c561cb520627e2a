/**
 * The two sides of a share, synthesized once per snapshot type, with their definitions extracted
 * (intrinsics resolved to the harness's placeholders) and the ARNs the fake world needs.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EncryptionKey } from '../../src/keys/encryption-key';
import { CompletionWaits } from '../../src/snapshots/private/event-wait';
import { SnapshotShareSource, SnapshotShareSourceProps } from '../../src/snapshots/snapshot-share-source';
import { SnapshotShareTarget, SnapshotShareTargetProps } from '../../src/snapshots/snapshot-share-target';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { AslDefinition, extractDefinition } from '../harness/state-machine';

export const SOURCE_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const REGION = 'eu-west-1';

export interface ShareWorld {
  readonly app: App;
  readonly sourceStack: Stack;
  readonly targetStack: Stack;
  readonly source: SnapshotShareSource;
  readonly target: SnapshotShareTarget;
  readonly sourceDefinition: AslDefinition;
  readonly confirmationDefinition: AslDefinition;
  readonly targetDefinition: AslDefinition;
  /** The callback state machines of the completion-event waits (none for Aurora, or with the events off). */
  readonly sourceCallbackDefinition?: AslDefinition;
  readonly targetCallbackDefinition?: AslDefinition;
  /** The shareable key's ARN as the definitions name it. */
  readonly sourceKeyArn: string;
  /** The target key's ARN as the definitions name it. */
  readonly targetKeyArn: string;
}

/** The ARN of a key created in a stack, as the harness resolves it. */
export function keyArnOf(stack: Stack, key: EncryptionKey): string {
  return `arn:aws:kms:${REGION}:${stack.account}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
}

/** The completion-event callback machine of a share construct, if it has one. */
export function callbackMachine(construct: Construct): sfn.StateMachine | undefined {
  return (construct.node.tryFindChild('CompletionEvents') as CompletionWaits | undefined)?.callback;
}

function callbackOf(stack: Stack, construct: Construct): AslDefinition | undefined {
  const machine = callbackMachine(construct);
  return machine ? extractDefinition(stack, machine) : undefined;
}

export function shareWorld(type: SnapshotType, options: {
  source?: Partial<SnapshotShareSourceProps>;
  target?: Partial<SnapshotShareTargetProps>;
} = {}): ShareWorld {
  const app = new App();
  const name = type.name.replace(/_/g, '');
  const sourceStack = new Stack(app, `Source${name}`, { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const targetStack = new Stack(app, `Target${name}`, { env: { account: TARGET_ACCOUNT, region: REGION } });
  const sourceKey = new EncryptionKey(sourceStack, 'ShareKey');
  const targetKey = new EncryptionKey(targetStack, 'CopyKey');
  const source = new SnapshotShareSource(sourceStack, 'Share', {
    snapshotType: type,
    targets: [ShareTarget.account(TARGET_ACCOUNT)],
    encryptionKey: sourceKey,
    ...options.source,
  });
  const target = new SnapshotShareTarget(targetStack, 'Receive', {
    snapshotType: type,
    sourceAccounts: [SOURCE_ACCOUNT],
    encryptionKey: targetKey,
    ...options.target,
  });
  return {
    app,
    sourceStack,
    targetStack,
    source,
    target,
    sourceDefinition: extractDefinition(sourceStack, source.stateMachine),
    confirmationDefinition: extractDefinition(sourceStack, source.confirmationHandler),
    targetDefinition: extractDefinition(targetStack, target.stateMachine),
    sourceCallbackDefinition: callbackOf(sourceStack, source),
    targetCallbackDefinition: callbackOf(targetStack, target),
    sourceKeyArn: keyArnOf(sourceStack, sourceKey),
    targetKeyArn: keyArnOf(targetStack, targetKey),
  };
}
