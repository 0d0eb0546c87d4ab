/** The HTTP retry machinery the model adapters share (embedders, LLMs); see README.md. */
export { createRetryingPost, type RetryingPost, type RetryingPostOptions } from './retrying-post.js';
export { defaultSleep, MAX_RETRY_AFTER_MS, retryableStatus, retryAfterMs } from './retry-timing.js';
