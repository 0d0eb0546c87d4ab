/** File Selection: the decision for every file of a checkout (README.md), and its pipeline stage. */
export {
  DEFAULT_MAX_FILE_BYTES,
  SelectionErrorCodes,
  selectFiles,
  type SelectFilesInput,
  type SizeOverride,
} from './select-files.js';
export { churnByPath } from './churn.js';
export { SELECTION_SERVICE, selectionStage, type SelectionStageDeps } from './selection-stage.js';
