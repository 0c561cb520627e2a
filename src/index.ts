export * from './keys/encryption-key-base';
export * from './keys/encryption-key';
export * from './keys/imported-key-material';
export * from './policy/key-access';
export * from './policy/key-capability';
export * from './policy/key-service';
export * from './keys/replica-key';
