import { inject } from 'vitest';

// Test workers call AWS through the same environment the local functions have.
Object.assign(process.env, inject('cloud').env);
