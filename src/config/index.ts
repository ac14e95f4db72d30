export { LlmDeployError, composeMessage, errorFactory } from './llm-deploy-error.js';
export type { ErrorFacts, ErrorFactoryFacts, LlmDeployErrorOptions } from './llm-deploy-error.js';
export { ConfigInvalidError, describeProblem } from './config-error.js';
export type { SettingProblem } from './config-error.js';
export { parseEnvFile } from './env-file.js';
export type { EnvFileEntry, EnvFileProblem, ParsedEnvFile } from './env-file.js';
export { loadSettings, loadSettingsFile } from './load.js';
export type { LoadSettingsOptions, LoadedSettings, ResolvedSetting, SettingSource } from './load.js';
export { expandHome, modelNameFromSource } from './settings.js';
export type { DeploymentSettings, PodSettings, RuntimeSettings } from './settings.js';
export { DEPLOY_TARGETS, INPUT_TRUNCATIONS, LOG_LEVELS, QUANTIZE_MODES, SERVING_BACKENDS, SETTINGS } from './settings-table.js';
export type { SettingDefinition, SettingGroup, SettingReader } from './settings-table.js';
export { booleanOption, choiceOption, integerOption, textOption } from './setting-options.js';
export { settingsMarkdown } from './settings-doc.js';
export {
  GCS_FUSE_ROOT,
  HUB_SCHEME,
  bucketNameIssue,
  fuseBucketPath,
  hubSource,
  hubSourceIssue,
  looksLikeHubId,
  splitBucketPath,
} from './model-source.js';
export type { HubSource } from './model-source.js';
export { quantityValue } from './value-parsers.js';
