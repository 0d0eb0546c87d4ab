/** The seed's contract as code: the single source of truth for topics, messages and groups. */
export * from './topics.js';
export * from './consumer-groups.js';
export * from './headers.js';
export * from './discovery-message.js';
export * from './task-message.js';
export * from './status-message.js';
export * from './validation.js';
