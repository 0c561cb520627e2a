/**
 * Helpers of the KmsChecks rule tests: a stack in the main account, a raw key whose policy the test
 * writes, and the findings of one rule.
 */
import { App, CfnDeletionPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KmsChecks, KmsChecksProps } from '../../../src';
import * as perms from '../../../src/private/perms';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;
export const USER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Orders`;

/** A fresh stack in account 111111111111, eu-west-1. */
export function newStack(id = 'Test'): Stack {
  const app = new App({ context: { 'cdk-kms-patterns:accessReport': false } });
  return new Stack(app, id, { env: { account: ACCOUNT, region: 'eu-west-1' } });
}

/** The statement that makes a raw key administrable by a named role. */
export function adminStatement(): any {
  return { Sid: 'Administer', Effect: 'Allow', Principal: { AWS: ADMIN_ROLE }, Action: perms.ADMIN_ACTIONS, Resource: '*' };
}

/** A raw key: rotating, retained, administered by a named role, plus `statements`. */
export function rawKey(stack: Stack, statements: any[], props: Partial<kms.CfnKeyProps> = {}, id = 'Key'): kms.CfnKey {
  const key = new kms.CfnKey(stack, id, {
    enableKeyRotation: true,
    keyPolicy: { Version: '2012-10-17', Statement: [adminStatement(), ...statements] },
    ...props,
  });
  key.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;
  key.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
  return key;
}

/** The ids of one rule's findings (`KmsChecks-<rule>` or `KmsChecks-<rule>[<finding>]`), sorted. */
export function findings(stack: Stack, rule: string, props?: KmsChecksProps): string[] {
  const report = new KmsChecks(undefined, props).validateScope(stack);
  return report.violations
    .filter(v => v.ruleName === `KmsChecks-${rule}` || v.ruleName.startsWith(`KmsChecks-${rule}[`))
    .flatMap(v => v.violatingResources.map(() => v.ruleName))
    .sort();
}

/** The severity one rule reports with. */
export function severity(stack: Stack, rule: string): string | undefined {
  const report = new KmsChecks().validateScope(stack);
  return report.violations.find(v => v.ruleName === `KmsChecks-${rule}` || v.ruleName.startsWith(`KmsChecks-${rule}[`))?.severity;
}
