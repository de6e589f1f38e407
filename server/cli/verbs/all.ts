/** Every kq verb, in the order `kq --help` lists them. */
import type { Verb } from '../verb.js';
import { apiResourcesVerb } from './api-resources.js';
import { annotateVerb } from './annotate.js';
import { applyVerb } from './apply.js';
import { auditVerb } from './audit.js';
import { backupVerb } from './backup.js';
import { clusterInfoVerb, versionVerb } from './cluster-info.js';
import { configSetContextVerb, configUseContextVerb, configViewVerb } from './config-verbs.js';
import { cordonVerb, uncordonVerb } from './cordon.js';
import { createVerb } from './create.js';
import { deleteVerb } from './delete.js';
import { describeVerb } from './describe.js';
import { drainVerb } from './drain.js';
import { editVerb } from './edit.js';
import { explainVerb } from './explain.js';
import { exposeVerb } from './expose.js';
import { getVerb } from './get.js';
import { historyVerb } from './history.js';
import { labelVerb } from './label.js';
import { execVerb, logsVerb } from './no-containers.js';
import { patchVerb } from './patch.js';
import { replaceVerb } from './replace.js';
import { replayVerb } from './replay.js';
import { restoreVerb } from './restore.js';
import { rolloutHistoryVerb } from './rollout-history.js';
import { rolloutRestartVerb } from './rollout-restart.js';
import { rolloutStatusVerb } from './rollout-status.js';
import { rolloutUndoVerb } from './rollout-undo.js';
import { runVerb } from './run-pod.js';
import { scaleVerb } from './scale.js';
import { setImageVerb } from './set-image.js';
import { topVerb } from './top.js';

export const verbs: readonly Verb[] = [
  getVerb,
  describeVerb,
  applyVerb,
  createVerb,
  runVerb,
  exposeVerb,
  deleteVerb,
  replaceVerb,
  editVerb,
  scaleVerb,
  setImageVerb,
  labelVerb,
  annotateVerb,
  patchVerb,
  rolloutStatusVerb,
  rolloutUndoVerb,
  rolloutHistoryVerb,
  rolloutRestartVerb,
  cordonVerb,
  uncordonVerb,
  drainVerb,
  topVerb,
  auditVerb,
  historyVerb,
  replayVerb,
  backupVerb,
  restoreVerb,
  apiResourcesVerb,
  explainVerb,
  logsVerb,
  execVerb,
  clusterInfoVerb,
  versionVerb,
  configViewVerb,
  configUseContextVerb,
  configSetContextVerb,
];
