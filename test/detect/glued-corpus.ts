/**
 * Innocent text where a detector's prefix is glued to the word before it: names, words, file names and
 * encoded data that contain `ghp_`-, `AKIA`- or `sk_test_`-like fragments by chance. Now that distinctive
 * prefixes are found glued (catalogue/common.ts, GLUED), the builtin catalogue must still find nothing here.
 */
export const INNOCENT_GLUED_CORPUS: readonly string[] = [
  // distinctive prefixes inside names and words: the body after them is not a token's
  'high_priority_queue=enabled slack_xoxb_enabled=true',
  'restored npm_modules_cache from pnpm_modules_cache_v2 (npm_config_cache unset)',
  'daily_highs_and_lows.csv weighs_per_class=[0.2, 0.8] laughs_count=3',
  'junit: task_test_results.xml network_test_suite passed, risk_live_dashboard ok',
  'kotlin_api_version=1.9.22 berlin_api_gateway_timeout_ms=3000',
  'cloudapi_endpoint buildapi readapi_v2 fieldapi3f2b8c1e',
  'ERROR_MSG.user_not_found LOG_MSG.connection_reset_by_peer',
  'countries: SLOVAKIA, EURASIA, CAUCASIAN; ALTAIR_SERVER_STARTUP complete',
  'deploy2production finished; toy2 and employ2 jobs skipped',
  'layer8_weights.bin worker8_queue_depth=12',
  'see changelog_v1.0-rc1.md and api_v1.0-beta',
  'preauthorization: required, reauthorization: never',
  // weak prefixes, left at a word start: glued, these names would fit their body
  'sasl.mechanism=OAUTHBEARER',
  'Using SASL mechanism OAUTHBEARER org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule',
  'config: usb_secret_key_storage_enabled_by_default_on_boot=false',
  'trace: debug_info1_collect_stack_traces_for_all_worker_threads',
  'rpc grpc_user_info_UserServiceGetAccountSettingsRequest sent',
  'loaded model_hf_AutoModelForSequenceClassification in 2.1s',
  'pod/risk-admin-dashboard-service-deployment-7f9c8d6b5-x2kq9 Running',
  'frame AAAAAAEAAAeHRT3HqIzbZUvanBRN1i4bq7Y7NfsYmXsp2wVMBS5gMxoUeEuT5edc8hgeB8 received',
  // prefixes inside base32 and base64 data
  'totp seed JBSWY3DPEHPK3PXPAKIAVBEQKWDPZRT4CRY7EZKK',
  'blob mFUsgX6Yo0YtAKIAvOT51a/40/IvDa2Ek2E7qcBf82Bvi7XeKjl7TP6TxLxWJ',
  // ANSI colour codes before ordinary words
  '\x1b[32mINFO\x1b[0m npm_lifecycle_event=build \x1b[33mghost_mode\x1b[0m',
  '\x1b[1m\x1b[31mERROR\x1b[0m task_test_failed: \x1b[2Kretrying',
];
