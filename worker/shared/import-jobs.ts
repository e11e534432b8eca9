/** An import job's states, in lifecycle order; the `importjobstatus` database enum is built from this list. */
export const IMPORT_JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportJobStatus = (typeof IMPORT_JOB_STATUSES)[number];
