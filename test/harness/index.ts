/**
 * The project's offline verification harness: test helpers only, never exported from `src/`.
 *
 * - `compliance`: cdk-nag 3 packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1)
 * - `simulate`: KMS request simulation over synthesized templates with iam-simulate (AGPL, test only)
 * - `intrinsics`: CloudFormation intrinsic resolution with deterministic placeholder ARNs
 * - `cfn-lint`: the Python cfn-lint over a cloud assembly directory
 * - `state-machine`: ASL extraction, validation (asl-validator) and local runs (aws-local-stepfunctions)
 * - `sdk-models`: `aws-sdk:` tasks checked against botocore's service models
 * - `scanners`: checkov and cfn-guard (Control Tower rules) over a cloud assembly, with the reasoned skip list
 */
export * from './compliance';
export * from './intrinsics';
export * from './simulate';
export * from './cfn-lint';
export * from './state-machine';
export * from './sdk-models';
export * from './scanners';
