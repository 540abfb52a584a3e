/**
 * GITLEAKS_COVERAGE (lib/detect/catalogue/gitleaks-coverage.ts) holds what it claims: for every gitleaks rule
 * it calls covered, a fake sample of ours in that rule's format and context, scanned with builtin:default,
 * loses its secret to one of the detectors named. The secret part of a sample is marked ⟦…⟧. Failure
 * messages name the rule and detector ids, never a sample.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { GITLEAKS_COMMIT, GITLEAKS_COVERAGE } from '../../lib/detect/catalogue/gitleaks-coverage.ts';
import { createEngineSync } from '../../lib/policy/create.ts';

/**
 * One sample per covered rule, all values fake and generated for this project (never gitleaks' test
 * values). Rules that need the provider's name before the value get it as a key name (`ADAFRUIT_API_KEY =
 * "…"`); rules that match the value anywhere get it in a plain log line.
 */
const SAMPLES: Readonly<Record<string, string>> = {
  '1password-secret-key': '2026-01-01 INFO upload using ⟦A3-V13RM3-LA998WIZPLV-AJUBQ-D6P39-6XQQN⟧ done',
  '1password-service-account-token': 'OP_SERVICE_ACCOUNT_TOKEN=⟦ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsInVzZXJBdXRoIjp7Im1ldGhvZCI6IlNSUGctNDA5NiIsImFsZyI6IlBCRVMyZy1IUzI1NiIsIml0ZXJhdGlvbnMiOjY1MDAwMCwic2FsdCI6ImdDQ1RnYVRPVm9xSVB3cHc1ZU56aHEifSwiZW1haWwiOiIwbzZvejhkNW5jdHNAMXBhc3N3b3Jkc2VydmljZWFjY291bnRzLmNvbSIsInNycFgiOiJjMmFjNDhmYzY3Y2EyZTZkZTlmNmU1N2I4MTNmODc4OTEwMGJmNmE4OTcyNDgyMTIxNGFmMTFkMDQzODIzNzgxIiwibXVrIjp7ImsiOiJEc1ZGSUh1VnBDam03VFg2eE9TbzB4SmxPa211cEdkM1FDcm1QMi11cUhZIiwia2lkIjoibXAifSwic2VjcmV0S2V5IjoiQTMtU1RFNTFFLU1ETkdUQy1VS0tDTC1MUE1WTC05MDlVRy1WV1ZORCIsImRldmljZVV1aWQiOiI3NThrbWNhMXozbDU1YXY4bXNjd3kxdnFkNSJ9⟧',
  'adafruit-api-key': 'ADAFRUIT_API_KEY = "⟦f70svs7akfw4vziblbxxe5wgh0oeawep⟧"',
  'adobe-client-secret': '2026-01-01 INFO upload using ⟦p8e-0tuCDTDD78MYF4QbEZd7Rc52WeOtQUjW⟧ done',
  'age-secret-key': '2026-01-01 INFO upload using ⟦AGE-SECRET-KEY-1QEX476Z3W84SWKXQLS6SSYWD3EFY2C84ATT4PCFH5KF3NEYTHLQVMDTHXV⟧ done',
  'airtable-api-key': 'AIRTABLE_API_KEY=⟦iv3hl436iyobjy5nj⟧',
  'algolia-api-key': 'ALGOLIA_API_KEY=⟦jxla55tonyd1i8l7hvm65lp5vsbr7yr3⟧',
  'alibaba-access-key-id': '2026-01-01 INFO upload using ⟦LTAI1s3vdZHzskFtjMxHzncj⟧ done',
  'alibaba-secret-key': 'ALIBABA_SECRET_KEY=⟦lDq2BpEIG0pmNMZtq9eeuYuHHyBqYv⟧',
  'anthropic-admin-api-key': '2026-01-01 INFO upload using ⟦sk-ant-admin01-q0HA8nb8Q_t2gkrEZbAj3JEUyhHD6EZ2kl4Y80wI1wYkyaIxdrHOeEHTFE4lIqg8xHZ1NmoYPT82iNonV3C3_3iFrY625AA⟧ done',
  'anthropic-api-key': '2026-01-01 INFO upload using ⟦sk-ant-api03-hJ2R8W5vdUdRsMt8XpJa6yBiQNDouJqfbRCKl97LKBhETZ8CAA8h8FD9gvf-D15yiihBuy1vnOVMQ2KfbVxewci6YIANOAA⟧ done',
  'artifactory-api-key': '2026-01-01 INFO upload using ⟦AKCpwUTUfedTzZI9X6gEK8cwh6IY8S6s6tp81pjT77kDlZnhszJgqZZH7SCObvEJPK1MKf8Hj⟧ done',
  'artifactory-reference-token': '2026-01-01 INFO upload using ⟦cmVmdB7BXMc3doTPrNdLkfoL5ZyKvdXCkkIuckt1hflqK8xTnq2lKN4fYSjTSq9U⟧ done',
  'asana-client-secret': 'ASANA_CLIENT_SECRET=⟦l3wm9ig02ex9vrbohczq7a1riv07gzxo⟧',
  'atlassian-api-token': '2026-01-01 INFO upload using ⟦ATATT3M6MMe_kOIoTqvjXUFpYwM43zhh_OQoDcrXzenHBLoMCOrXLYPaCmve3KJdMHZUubUP_kZ17bu6VNwegHS0mPdYtrsrE_Lkqb4ba0Qtpy0Sq1xZbTQGJGDemowCeItN3rJx_BxmI1xuqa90-2mIBvQ6v_EmMNnoVMGyfuLoQ6CZZR5TX3hK8JBXEd_6⟧ done',
  'authress-service-client-access-key': '2026-01-01 INFO upload using ⟦sc_0uUJG82KgWrGwp63uOKpSZyl.q6z8.acc_8oz9j16kzlha.MC4CAQAwBQYDK2VwBCIEIuQrUMqrT17Cf08jdc3IMhQc6BkFo8vpFd+y0ncXoULZ⟧ done',
  'aws-access-token': '2026-01-01 INFO upload using ⟦AKIAMZJ2KD2RTFQG5RZ6⟧ done',
  'azure-ad-client-secret': 'AZURE_CLIENT_SECRET=⟦gg58Q~5av7ZpHQ8jLTlKg261JO0r76lQfsID_N3K⟧',
  'beamer-api-token': 'BEAMER_API_TOKEN=⟦b_QelEmyqe_XCW2mmFClkY7xXLcFMPwMjwcyg7m1hCcOeL⟧',
  'bitbucket-client-secret': 'BITBUCKET_CLIENT_SECRET=⟦LVN1LTUh9LhUTuHJ6YwO4dZ4vnRuhlIGXd551yYG-TpTpddAnFucxkdZz-oAxbHS⟧',
  'bittrex-access-key': 'BITTREX_ACCESS_KEY=⟦rhby013s2kni4ia7fqfnl4lwve48zqz6⟧',
  'bittrex-secret-key': 'BITTREX_SECRET_KEY=⟦kvlk5p93blcnwlx3s5q2q9f5g3e12kls⟧',
  'cisco-meraki-api-key': 'MERAKI_API_KEY=⟦c1441f658bb39f7fa1a6d154a8c604aaae70f91e⟧',
  'clickhouse-cloud-api-secret-key': '2026-01-01 INFO upload using ⟦4b1dKJ2nhL2hDiRWGHLmudULQusqea3NXb6ijjS5nG⟧ done',
  'clojars-api-token': '2026-01-01 INFO upload using ⟦CLOJARS_5bpmdturbgecz9lx6zqbtuxayc84ttqztohlz69p4w8wing06sew3y00pbhy⟧ done',
  'cloudflare-api-key': 'CLOUDFLARE_API_KEY=⟦ik_vQy-fAxxuydohwla65tbFRkReggp29ougjSGk⟧',
  'cloudflare-global-api-key': 'CLOUDFLARE_GLOBAL_API_KEY=⟦395193687a4be81dbf8073845de69b2c8ff76⟧',
  'cloudflare-origin-ca-key': '2026-01-01 INFO upload using ⟦v1.0-eaa49d06b5f7e90919b82359-2ed15b0d0116ec46c86df2518ca3d2bd81e8a1fe6f578f15d296b0b84ede89612a2400364ba0da006366c999a5de89d12847dc681f831479cc3928c48ea5c98c5b25a9f82e0f68cdde⟧ done',
  'codecov-access-token': 'CODECOV_TOKEN=⟦1odx6mr2xldejo0us98qm3n7d5sfyopd⟧',
  'cohere-api-token': 'CO_API_KEY=⟦1pFr3I9AX5kUish2DCEnhbaLPxYQOpHKoMB6tob3⟧',
  'coinbase-access-token': 'COINBASE_ACCESS_TOKEN=⟦Py4gfDPJmja_hkQ7_pwXOT3bI4UWLpbuVQ-OzUusb2MgB847fZf1b-wS8ppvCM7t⟧',
  'confluent-access-token': 'CONFLUENT_ACCESS_TOKEN=⟦CSX053K87EYWJ3OU⟧',
  'confluent-secret-key': 'CONFLUENT_SECRET_KEY=⟦L2vVYEoI8RCrHEQyfX7l63Ki2A4UwTXYlOVZOtZ5qVG2i71mlLsHlE6eDuEh99GU⟧',
  'contentful-delivery-api-token': 'CONTENTFUL_DELIVERY_TOKEN=⟦zue0WmvzhiBnKyzis4WV1afFlcymmLIrTby0c8ahqWY⟧',
  'curl-auth-header': 'curl -H "Authorization: Bearer ⟦5yxVfWvCJPx-aRRIqoTCVuVKjk2P0OMynhoRhXvD⟧" https://api.internal/v1/items',
  'curl-auth-user': 'curl -u deploy:⟦TBuoBWaCOHRnvbSXpA⟧ https://repo.internal/upload',
  'database-password': 'DB_PASSWORD=⟦cXcQ51iGVZYHj2⟧',
  'databricks-api-token': '2026-01-01 INFO upload using ⟦dapi46476b60bcbf640c4d51a31abb6c7168⟧ done',
  'datadog-access-token': 'DATADOG_ACCESS_TOKEN=⟦9f6d2b84af10805fb593026d9bad932d4e514753⟧',
  'defined-networking-api-token': '2026-01-01 INFO upload using ⟦dnkey-_T1Q38ugsd7k56c2SZd611aXVv-hhTwqx-e9bnlWkVy2OrlnKrFjs9xMdx7pXhcza56IRqaoB0wvmOC⟧ done',
  'digitalocean-access-token': '2026-01-01 INFO upload using ⟦doo_v1_1a4e13d294a7180a544135d92bf1ad3cd7bf1c8821cbc518b1df921a3cce72a4⟧ done',
  'digitalocean-pat': '2026-01-01 INFO upload using ⟦dop_v1_823957a13011c2e5f7a2a2fbd55272821550dcdb04b89513dd43e597df27d5a4⟧ done',
  'digitalocean-refresh-token': '2026-01-01 INFO upload using ⟦dor_v1_21f7c832cb973095d028075c25bfba854809611d51581e8abd3a679ef96f3510⟧ done',
  'discord-api-token': 'DISCORD_API_TOKEN=⟦e24d95945010c24c8b9602afa37af87c549343343d7fc447636e8004989d72ea⟧',
  'discord-client-secret': 'DISCORD_CLIENT_SECRET=⟦WB82WpznHaAUEqJDWBSry3YGdqlDI-Kd⟧',
  'doppler-api-token': '2026-01-01 INFO upload using ⟦dp.pt.mxdy7qc0GNO7uTDXBQiwPbHtUNrKcQBkGaOxb2KMLpR⟧ done',
  'droneci-access-token': 'DRONECI_ACCESS_TOKEN=⟦9idd30b206chfxjshc9s51ds9f0jw1e2⟧',
  'dropbox-api-token': 'DROPBOX_API_TOKEN=⟦zayjnkelz4hcidw⟧',
  'dropbox-long-lived-api-token': 'DROPBOX_ACCESS_TOKEN=⟦hnwmHbIQj4BAAAAAAAAAApttvjybWbK1wCkzcKq7dAR61KYcG0BmHarZ5efTMreG⟧',
  'dropbox-short-lived-api-token': 'DROPBOX_ACCESS_TOKEN=⟦sl.G72QenbRRGg971yAUoNdAwnp0_BmTCCJpHME6Z5R5kj0ILKy5DUTYyUKnOA4LXxaI7cWRExEaLGYCVxdgkzMfQ7S_QIviTJFPd2dEc365RD7Q3VPw8Eg2luihewYjB8Vyarplu6⟧',
  'duffel-api-token': '2026-01-01 INFO upload using ⟦duffel_test_xQkRfeYHlGxl2SJyY1rY432HeVdGwxDMd7t3l5d74h6⟧ done',
  'dynatrace-api-token': '2026-01-01 INFO upload using ⟦dt0c01.354XRZB2IDI3Y1964JUZX1LZ.EF6LV4EJI69LZ1TPJZ44YT1P2HR8SDBG8BMXHZY3ZEM5PAJ8IW3F24QQJ7PAJP24⟧ done',
  'easypost-api-token': '2026-01-01 INFO upload using ⟦EZAK660NzMD6pUDI4plbYsYRfNmUFpNfR9sPrF3p86jFxpJB4SnKTWvUWL⟧ done',
  'easypost-test-api-token': '2026-01-01 INFO upload using ⟦EZTKGz7n9ss2Am9iwmqpGt2QwA7hCwzhVBNmSJRfbnhtIEA0Yg1ws75jNU⟧ done',
  'etsy-access-token': 'ETSY_ACCESS_TOKEN=⟦ncukonuvnc7qz8jumdgdtn8w⟧',
  'facebook-access-token': 'FACEBOOK_ACCESS_TOKEN=⟦3765304512100063|40d2db971ee920a39c3bc25c28612227⟧',
  'facebook-page-access-token': '2026-01-01 INFO upload using ⟦EAAMFp7JOYezlzgVVJvoe0907bs9lLzjoObpaf69OVe0lxNtNGf0Vi9nW6aZmrWjAw3nXseHNLpyi8jAfI5pGLeeqZLuKepeeGuaav39Dp5yUe5KUONbj8JDoD1A⟧ done',
  'facebook-secret': 'FACEBOOK_APP_SECRET=⟦ccebaf2488901d4e24ba7c4e9a7fc561⟧',
  'fastly-api-token': 'FASTLY_API_TOKEN=⟦fR2ubA7QsY2Y7F-ABDbElu3CV3iKQr0H⟧',
  'finicity-api-token': 'FINICITY_API_TOKEN=⟦c579019c0cb20830e91ca4d24f06fa16⟧',
  'finicity-client-secret': 'FINICITY_CLIENT_SECRET=⟦HRinT9YCOvSecW1HaCx3⟧',
  'finnhub-access-token': 'FINNHUB_ACCESS_TOKEN=⟦8ki400yxfwp66uypwl4d⟧',
  'flickr-access-token': 'FLICKR_ACCESS_TOKEN=⟦q0dgg2bgbejj4xno8mvqnk27cp6hmwfl⟧',
  'flutterwave-encryption-key': '2026-01-01 INFO upload using ⟦FLWSECK_TEST-2ab89hebhb54⟧ done',
  'flutterwave-secret-key': '2026-01-01 INFO upload using ⟦FLWSECK_TEST-69d2hchge209112gf9gcec5df6h1076f-X⟧ done',
  'flyio-access-token': '2026-01-01 INFO upload using ⟦fo1_IzGoVX_wbDP0gV9CbCVnl5dyD9D_E8vvcbFhJiU9-kW⟧ done',
  'frameio-api-token': '2026-01-01 INFO upload using ⟦fio-u-1uaX3nH3SF3KibH1BfuMN9Ho80GfLVHbXDt_krQxvdRt5wY5zQBQtTxLCmMzy3DZ⟧ done',
  'freemius-secret-key': '\'secret_key\' => \'⟦sk_GC0r#%GhMVydm3QLqwtCe3l%a!CaW⟧\',',
  'freshbooks-access-token': 'FRESHBOOKS_ACCESS_TOKEN=⟦e4c03lbaxtnt7il6wbjrifkzljomna6htkm09c3e7rvcpmrlj2hids0sds7ln6uv⟧',
  'gcp-api-key': '2026-01-01 INFO upload using ⟦AIza5LDzvl20Bqwh7J0gFmoUFzoSQ9jpxFQ-ywx⟧ done',
  'generic-api-key': 'api_key = "⟦iuo34zrmHj15nOgM4bv2nxm2r7ck⟧"',
  'github-app-token': '2026-01-01 INFO upload using ⟦ghs_YatsFaopTjDsFQA1CN3EzwgJNmrokFoYbyln⟧ done',
  'github-fine-grained-pat': '2026-01-01 INFO upload using ⟦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⟧ done',
  'github-oauth': '2026-01-01 INFO upload using ⟦gho_PJ9O0k88R6BsjL5YGb1og9oZO3oY8AIiDlhX⟧ done',
  'github-pat': '2026-01-01 INFO upload using ⟦ghp_ZiaPplzmuwhb6gDQiwCKz5bN19feWtB5R1Zc⟧ done',
  'github-refresh-token': '2026-01-01 INFO upload using ⟦ghr_dilgBeB33Tj0DRH3huJKEIKZ1eRJ5xEbBylM⟧ done',
  'gitlab-cicd-job-token': '2026-01-01 INFO upload using ⟦glcbt-PN__JC8hI5cXEqfiERp4fNj⟧ done',
  'gitlab-deploy-token': '2026-01-01 INFO upload using ⟦gldt-5O7NHwABqRZhf03CPA2Y⟧ done',
  'gitlab-feature-flag-client-token': '2026-01-01 INFO upload using ⟦glffct-DErDZIawGhp-DzHljtsE⟧ done',
  'gitlab-feed-token': '2026-01-01 INFO upload using ⟦glft-bOpyLiSbpirJtsJyzITx⟧ done',
  'gitlab-incoming-mail-token': '2026-01-01 INFO upload using ⟦glimt-RZTsWxTeqKqLfqW5HZig-WpG7⟧ done',
  'gitlab-kubernetes-agent-token': '2026-01-01 INFO upload using ⟦glagent-wnixzFv3c90U3U1doBQ2ruBAtHRtNBIqjHjz3P88g2LI0C_Mpn⟧ done',
  'gitlab-oauth-app-secret': '2026-01-01 INFO upload using ⟦gloas-G9WaMbgzqEPdYEX2MHo_kYMOOTuhTdJ2bHgDDtdbr-l9cY9Z4WnKWBNlmyJIvl6q⟧ done',
  'gitlab-pat': '2026-01-01 INFO upload using ⟦glpat-IXc_53cuL818LVWBoArA⟧ done',
  'gitlab-pat-routable': '2026-01-01 INFO upload using ⟦glpat-X2zZqPdQQgIZWp-SuDWpJ6tvBNfhNSHu01LD.01.f7io9ckjj⟧ done',
  'gitlab-ptt': '2026-01-01 INFO upload using ⟦glptt-97fc4c889ed60f7fef0dada83cb817de03633ac4⟧ done',
  'gitlab-rrt': '2026-01-01 INFO upload using ⟦GR1348941KylQAX0BOwv2v5dGBIbs⟧ done',
  'gitlab-runner-authentication-token': '2026-01-01 INFO upload using ⟦glrt-pm57ggvhGCiFpVEckVYq⟧ done',
  'gitlab-runner-authentication-token-routable': '2026-01-01 INFO upload using ⟦glrt-t1_RLIUAGnxm3nuqMoSsOkortRelTlf753BXrYF.01.d6imt34k7⟧ done',
  'gitlab-scim-token': '2026-01-01 INFO upload using ⟦glsoat-oJnmxmjsk6r9ip_jLzyh⟧ done',
  'gitlab-session-cookie': 'Cookie: _gitlab_session=⟦6ae9248bd227b3bf03c87d424ddac216⟧',
  'gitter-access-token': 'GITTER_ACCESS_TOKEN=⟦9QwRBaefslvEI67p3kCKpAzDrOZKRUn8E-DIzab5⟧',
  'gocardless-api-token': 'GOCARDLESS_ACCESS_TOKEN=⟦live_qTewM6qydV3v8h6BwsLL2XP6QM6qW0WxE6F2ZSsg⟧',
  'grafana-api-key': '2026-01-01 INFO upload using ⟦eyJrIjoiaB16hJ0X16yDUV4CS0UonQfPocHsCjQh3T5lE5CN0vral6zRcSixQW1A4o5eS1V4kjYbKNJgpQOinF7W⟧ done',
  'grafana-cloud-api-token': '2026-01-01 INFO upload using ⟦glc_SnaUbNhz8CknpwyY0cU0s2UL8lTwau55VglMsWO3KG9TE+r7HScjTkvuQc76⟧ done',
  'grafana-service-account-token': '2026-01-01 INFO upload using ⟦glsa_oactQL0bkLAt7zX7xU4CQTaOOe68BYSx_a0105bc2⟧ done',
  'harness-api-key': '2026-01-01 INFO upload using ⟦pat.bYQ-79MUCV3MWY8HWFU74p.1TpxCz0PfSsClDVK89YNZjYo.s0lcQ8A89ubmkxALqdhK⟧ done',
  'hashicorp-tf-api-token': '2026-01-01 INFO upload using ⟦IuRtdKXZZx6odN.atlasv1.7lXThp5Us8MUHvvpIgC1K9jFT1_Hp5f8wiMDxWgjc4slGZBsh4fZExcFzjSquc-DI_t⟧ done',
  'hashicorp-tf-password': '  administrator_login_password = "⟦o5OGNhW57xpAVjQS⟧"',
  'heroku-api-key': 'HEROKU_API_KEY=⟦7589f11c-a703-c330-4a00-b8a3b33f3aa1⟧',
  'heroku-api-key-v2': '2026-01-01 INFO upload using ⟦HRKU-AAOrLBLdOqP_Fp4quYdh4jLLpZKAhGXjM9B9Ybo0SW7dbOZJCnvSRH_Zw-5h⟧ done',
  'hubspot-api-key': 'HUBSPOT_API_KEY=⟦9174B1B7-05F7-1459-6994-7CE974D0AE6D⟧',
  'huggingface-access-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'huggingface-organization-api-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'infracost-api-token': '2026-01-01 INFO upload using ⟦ico-4oZV43rHAqBQawnSiYtYbUnxuCxq3Sx7⟧ done',
  'intercom-api-key': 'INTERCOM_ACCESS_TOKEN=⟦3jHDd2OfRPRr8hq1nwDsSdbJxK10VGQfJd_kFVegdmIYkVbLVwqJTKSyfvK=⟧',
  'intra42-client-secret': '2026-01-01 INFO upload using ⟦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⟧ done',
  'jfrog-api-key': 'JFROG_API_KEY=⟦8JA95YyAYhTS5d1FDGC1drOvxmnewFDWMkeSDDdrPI9UQ2vhiQoe9yhc7AKEYxd3mY9QX1zCE⟧',
  'jfrog-identity-token': 'JFROG_IDENTITY_TOKEN=⟦pEsHtdwmiU7AhJUhXxp4lkQWH3e259W0I8ZEOEF96iJl2DRglIlYURMhOVBwepJZ⟧',
  'jwt': '2026-01-01 INFO upload using ⟦eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5OTM2MzA0NDMzIiwibmFtZSI6ImRxYnpBV1llIiwiaWF0IjoxNzY3MjI1NjAwfQ.xuq7OEuJ2QU43IvU1qpfu_9YKfFKBUlyOQXhXKREvq-⟧ done',
  'jwt-base64': '2026-01-01 INFO upload using ⟦ZXlKaGJHY2lPaUpJVXpJMU5pSXNJblI1Y0NJNklrcFhWQ0o5LmV5SnpkV0lpT2lJd056YzFORGc1TmpRNElpd2libUZ0WlNJNkltOWhSMVZxVEV4d0lpd2lhV0YwSWpveE56WTNNakkxTmpBd2ZRLjdoQkZvY0tYeGMyTURZZy1qUksybk9NOExNQk8zMWVhTUw4cG1jTG4tQno=⟧ done',
  'kraken-access-token': 'KRAKEN_API_KEY=⟦UdVwn7zz8vERhquuiYO7k6MgLvgLAgv6Bai9iJiC4vI2qvadSv6L9Afn03YBjuvSYsjOlGpmKmxUW/G5CwCPKL⟧',
  'kubernetes-secret-yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ⟦WThTUk1KU0haOHNKaUIzTU42⟧\n',
  'kucoin-access-token': 'KUCOIN_ACCESS_TOKEN=⟦ca81e61f0366edc90992ee19⟧',
  'kucoin-secret-key': 'KUCOIN_SECRET_KEY=⟦ede3c7be-6411-0b72-93c1-94c25eda0e6f⟧',
  'launchdarkly-access-token': 'LAUNCHDARKLY_ACCESS_TOKEN=⟦api-52a7aa17-a338-f6fb-5157-37ea616ad0fb⟧',
  'linear-api-key': '2026-01-01 INFO upload using ⟦lin_api_fk4ZB4C3ZgxnUDfDT2lqy9yvlOPpvf3J1Dur7CaE⟧ done',
  'linear-client-secret': 'LINEAR_CLIENT_SECRET=⟦8d02150db438147801e8dd7af9287270⟧',
  'linkedin-client-secret': 'LINKEDIN_CLIENT_SECRET=⟦TAyPmYBsdOUvQEaa⟧',
  'lob-api-key': 'LOB_API_KEY=⟦live_41b20701453e761bf0fa3485ee5c7f4b13d⟧',
  'mailchimp-api-key': 'MAILCHIMP_API_KEY=⟦b5a1bf7ed9dddada2cb995f791ea0a60-us21⟧',
  'mailgun-private-api-token': 'MAILGUN_API_KEY=⟦key-a8a6608b9a7b511425d77c2747ac97f3⟧',
  'mailgun-signing-key': 'MAILGUN_WEBHOOK_SIGNING_KEY=⟦9e88e8140c3e36fda2c298dd30893a09-8aaa8610-3f5916a8⟧',
  'mapbox-api-token': 'MAPBOX_ACCESS_TOKEN=⟦pk.NnKZOZ7e7du1H4DvRAslDJhi4gvpRMm4GZHovmmaiAYmdwmY3kC3jhSHBtAN.Z9Ccr2U2vigtdK3Wb8upVw⟧',
  'mattermost-access-token': 'MATTERMOST_ACCESS_TOKEN=⟦mf6n5lu1cadjxj61khb05efelg⟧',
  'maxmind-license-key': '2026-01-01 INFO upload using ⟦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⟧ done',
  'messagebird-api-token': 'MESSAGEBIRD_API_KEY=⟦3XZXvO8j7RlSV9mjADJEWwdJe⟧',
  'microsoft-teams-webhook': '2026-01-01 INFO upload using ⟦https://contoso.webhook.office.com/webhookb2/8823b3b5-01b4-9c4d-60b8-c0467f846602@fa2f8c1f-92a6-e3f9-ee37-2f016a4ba439/IncomingWebhook/7f3e74b98184ab2881148792db8554df/7eb85358-6f4d-9e57-7f67-f2c5941e4532⟧ done',
  'netlify-access-token': 'NETLIFY_AUTH_TOKEN=⟦MU6yjL3DGQdRuMnbk7jvvNAu7K6Nzlu55pKVg_cDowM⟧',
  'new-relic-insert-key': '2026-01-01 INFO upload using ⟦NRII-NuLNaoYSAajj50ktDsua7N804CAdF-e6⟧ done',
  'new-relic-user-api-key': '2026-01-01 INFO upload using ⟦NRAK-HBM1XWKJ62WHQE0CR6OUWV0XRKL⟧ done',
  'notion-api-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'npm-access-token': '2026-01-01 INFO upload using ⟦npm_3AJYpQKQxsMQRMWuKXv43QcQer5hzLrF6A7m⟧ done',
  'nuget-config-password': '    <add key="ClearTextPassword" value="⟦ENF2gEJodwrGa4yH⟧" />',
  'nytimes-access-token': 'NYTIMES_API_KEY=⟦WtX5JYrDrG7Oc66wvVLZ5PXXwdSaPBl4⟧',
  'octopus-deploy-api-key': '2026-01-01 INFO upload using ⟦API-88L6CKWB9XKWI4YQ22RPKWH7G5⟧ done',
  'okta-access-token': 'OKTA_API_TOKEN=⟦00TlILWDv6gYTfQdQ5RGNYzjU2zIxk81hUDvcdjutQ⟧',
  'openai-api-key': '2026-01-01 INFO upload using ⟦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⟧ done',
  'openshift-user-token': '2026-01-01 INFO upload using ⟦sha256~Tn8Ql75n1t4ikwYO0uHfLXhBVujv30nvgiY7N4BN4vy⟧ done',
  'perplexity-api-key': '2026-01-01 INFO upload using ⟦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⟧ done',
  'plaid-api-token': 'PLAID_ACCESS_TOKEN=⟦access-sandbox-04a515f1-2fc6-a765-9c98-d8b778448e32⟧',
  'plaid-secret-key': 'PLAID_SECRET=⟦eb5f1019e4874cf9d8db968432d08f⟧',
  'planetscale-api-token': '2026-01-01 INFO upload using ⟦pscale_tkn_X3ElDN8W9t-FWmkCH6zOPSvcBrYuHsuW0TLkkJm6Qg0⟧ done',
  'planetscale-oauth-token': '2026-01-01 INFO upload using ⟦pscale_oauth_42nrvMcYAxFXqAxDiyr1-kExvcItHv7PRf-yH87fA48⟧ done',
  'planetscale-password': '2026-01-01 INFO upload using ⟦pscale_pw_8kXTXzwaDPSXpjj7p1RQ1LGsH31eay3XLpR6vKq5xOK⟧ done',
  'postman-api-token': '2026-01-01 INFO upload using ⟦PMAK-04dcb4aaa2ea54517fb9f7b3-d69f0cdf10c564ae6c56ccb74deeee6158⟧ done',
  'prefect-api-token': '2026-01-01 INFO upload using ⟦pnu_PlASzhVIp7l6BqD2KJWSk4sThCiNwf8YxVJS⟧ done',
  'private-key': '-----BEGIN RSA PRIVATE KEY-----\n⟦I92wRGA3ATX+NgTjsYMhBot3t38AXWN+d+0IXz0IzlFcsrv7QmIUiuDaU8a4LYBg\nvGzH+VGazl9+C/MX/vdW1b/ilv73NF6C+w71thtE0kpyZHv3+edy+ceOzD0GjJyH⟧\n-----END RSA PRIVATE KEY-----',
  'privateai-api-token': 'PRIVATE_AI_API_KEY=⟦lb22ditv0odedrsreq6dzslkyy7jho63⟧',
  'pulumi-api-token': '2026-01-01 INFO upload using ⟦pul-b0fded804841ff4df213146e4d517b9fd4d13f3c⟧ done',
  'pypi-upload-token': '2026-01-01 INFO upload using ⟦pypi-AgEIcHlwaS5vcmc4GlJpJQ_6rSMfWutLB7TBK_8lh5qHfOxWb1QA3bMWyMm_pDoer9UuWY_viF8IGhfixNmbu⟧ done',
  'rapidapi-access-token': 'X-RapidAPI-Key: ⟦99OO0fTbJRiKiHI8q4ZvcvOvDNxGgg7FL8BRfj3t8xtf3X8RiK⟧',
  'readme-api-token': '2026-01-01 INFO upload using ⟦rdme_djcnn4vrp52syf4lpysechjtz7rsp8ppzlvi3qhyi81plklwvrumw2qxytndhj56brutgi⟧ done',
  'rubygems-api-token': '2026-01-01 INFO upload using ⟦rubygems_9247fddad51064549a8e898411e60e5d107a3b2eb4c40e04⟧ done',
  'scalingo-api-token': '2026-01-01 INFO upload using ⟦tk-us-pnhgVwHdqfThgOmHz5q65jGpH1mwrjZm6omuGOTkNAhWHBhA⟧ done',
  'sendbird-access-token': 'SENDBIRD_API_TOKEN=⟦cdc6dbcaf77f0edd2fc693b1854ee5b5605b995a⟧',
  'sendgrid-api-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'sendinblue-api-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'sentry-access-token': 'SENTRY_AUTH_TOKEN=⟦0d66a93f85ef14cecce32e0aba1a558c1992e44b2faed7f7c251d9ba408fb7f4⟧',
  'sentry-org-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'sentry-user-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'settlemint-application-access-token': '2026-01-01 INFO upload using ⟦sm_aat_bZx4iQmyWzeXJ52r⟧ done',
  'settlemint-personal-access-token': '2026-01-01 INFO upload using ⟦sm_pat_iikZSgqFGKcjlBWe⟧ done',
  'settlemint-service-access-token': '2026-01-01 INFO upload using ⟦sm_sat_DDvy8GL14iB7jFiH⟧ done',
  'shippo-api-token': '2026-01-01 INFO upload using ⟦shippo_live_7499c10d69666156b0937cd7e05f8079daae276c⟧ done',
  'shopify-access-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'shopify-custom-access-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'shopify-private-app-access-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'shopify-shared-secret': '2026-01-01 INFO upload using ⟦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⟧ done',
  'sidekiq-secret': 'BUNDLE_ENTERPRISE__CONTRIBSYS__COM=⟦30174ac8:82783bd4⟧',
  'sidekiq-sensitive-url': 'source "https://⟦eda9f437:22521349⟧@gems.contribsys.com/"',
  'slack-app-token': '2026-01-01 INFO upload using ⟦xapp-1-ADND5KJ4YPW-9364197582596-fabb961bf635a375abca11e8416a038d70b0dd53b1cafaa0d70f4844d7f45b24⟧ done',
  'slack-bot-token': '2026-01-01 INFO upload using ⟦xoxb-211715969378-3298199210167-YAJ1eknww4ixOgsMWOtUUYKH⟧ done',
  'slack-config-access-token': '2026-01-01 INFO upload using ⟦xoxe.xoxp-1-cCQ9tsbOU953HJWfeCgEBHEW71ky7l5fiWZCG0ilFDhocjP5tIJt6zL2iNkIHHmvAJIng9DrJ80dsQLVKMQngcEjZ0PY4szlqEYGbARi4SwDsUA6j6h3BAXkiyRfSI8FHYMuI1G9M3uWm6FcwclDU9ZwcmXIY7iTAAKE⟧ done',
  'slack-config-refresh-token': '2026-01-01 INFO upload using ⟦xoxe-1-MVf50p04UrrDzScmxm5mt04SpIhszOiDl4tEr8bkeZtPd1CrzCuPrO3NtjhsdJYQYvBwLsXk30cPBhHhfAukbLJpJGlrVT5QMRylxKeIsNE9KrvHBrIpyfIRKWiPXpL9tfr815OvMhjibkbOCM⟧ done',
  'slack-legacy-bot-token': '2026-01-01 INFO upload using ⟦xoxb-51163681045-vpVmdUeZDdUv2eXXFA1gSNBA⟧ done',
  'slack-legacy-token': '2026-01-01 INFO upload using ⟦xoxs-9937492586-4208065358-385161189976-e0d09b2320543f49183fd30b6c2e69bfd02a807481800ede92ef03d3be299045⟧ done',
  'slack-legacy-workspace-token': '2026-01-01 INFO upload using ⟦xoxa-2-ULJm9LN2jrjXoCdzM70ueKTiuZOtErWOsCG5wU0G⟧ done',
  'slack-user-token': '2026-01-01 INFO upload using ⟦xoxp-247163884426-639059148659-0506043060528-f1301657b9770eae305355aae7be4fd2⟧ done',
  'slack-webhook-url': '2026-01-01 INFO upload using ⟦https://hooks.slack.com/services/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⟧ done',
  'snyk-api-token': 'SNYK_TOKEN=⟦c2219dc0-609c-e8a1-dbad-87cad883f93f⟧',
  'sonar-api-token': 'SONAR_TOKEN=⟦79bbdbb0d09a7b630e3bfafe97947bc64edd3b87⟧',
  'sourcegraph-access-token': '2026-01-01 INFO upload using ⟦sgp_0b505ba416c2ec7f_6ab8a5e56097d80762949b7ef26783167adc5570⟧ done',
  'square-access-token': '2026-01-01 INFO upload using ⟦EAAAk7NS_WHEjsWCKbHGLSjHtMt5LSPwoXuMdDUwDQ6qO0191JM4hnWSKudDnySv⟧ done',
  'squarespace-access-token': 'SQUARESPACE_API_KEY=⟦9b4bdb80-7c26-ac75-1db5-9d86db792b14⟧',
  'stripe-access-token': '2026-01-01 INFO upload using ⟦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⟧ done',
  'sumologic-access-id': 'SUMO_ACCESS_ID=⟦suQPAcWeI3jKeV⟧',
  'sumologic-access-token': 'SUMO_ACCESS_KEY=⟦y7m4kYhmhPvdXae7DDnuHEFdfeFXi6fGa38Nau7vbcTfwX00nLwD4RASYRyqQDux⟧',
  'telegram-bot-api-token': 'TELEGRAM_BOT_TOKEN=⟦7434517176:AA03mU_1Qb0GbNBid9ONqkwtP0j4cQqEiQA⟧',
  'travisci-access-token': 'TRAVIS_API_TOKEN=⟦KdsdO01bEf8uyVwVGTMv60⟧',
  'twilio-api-key': '2026-01-01 INFO upload using ⟦SKe56450909b889ddda40e78c220b9c7a6⟧ done',
  'twitch-api-token': 'TWITCH_API_TOKEN=⟦mdg6xxty0t7udrlavcjxlpdulkjq27⟧',
  'twitter-access-secret': 'TWITTER_ACCESS_SECRET=⟦GQrcooUVLA5BvM98HioH5dpt5nugoyaFZx1bUqFM78Gh7⟧',
  'twitter-access-token': 'TWITTER_ACCESS_TOKEN=⟦1539009105310719077-jXdJSEZbmVgxo1kM7D2z9rUrJDOnGi⟧',
  'twitter-api-key': 'TWITTER_API_KEY=⟦0BlFNhOXWpqfOxo77zNWqHXGv⟧',
  'twitter-api-secret': 'TWITTER_API_SECRET=⟦wBp7TlxFnSbgFMBG9MTnWsIHDihetE6W2cGmJ4w5hdKtvzoznR⟧',
  'twitter-bearer-token': 'TWITTER_BEARER_TOKEN=⟦AAAAAAAAAAAAAAAAAAAAAAzKjfiUVN0hkueRPZD7gjdnChl9GIyZgVhGY2Y2HndkS3ia45V9nUYKu33q53FKM7r0ROIAZ96ICbyx2USnlcdXNGhE⟧',
  'typeform-api-token': 'TYPEFORM_TOKEN=⟦tfp_UWPagzJKu22DpZHAHsk4u6KBcjkakBIQNe7wMH3Z3gdQoDdNXee6EKCFc5h⟧',
  'vault-batch-token': '2026-01-01 INFO upload using ⟦hvb.u6aBuCv75h0ZaY108aNJWlDN5Y7B-msaKmLXudkR-gxx7IOpxJHXFMSUhAPm6NyB4Adi8wFrUbCLrQWxP3_U53sKJacU96vpB-FaAQTWt7JbBTIZFcPwe0rJD9SgjNtGSK8gnsv0P4WCV6vCLVhEwG⟧ done',
  'vault-service-token': '2026-01-01 INFO upload using ⟦hvs.UB3QiVPQFT7Qr8Nvncf5jx11YbnIKE51_NQdOtimMKZxk5MWgUmmbx_UjEFBqAGFrK_Gy4U9McEVgQdxGwDhwHpXbk_dqnL⟧ done',
  'yandex-access-token': 'YANDEX_ACCESS_TOKEN=⟦t1.o1tY0GgCewwSh8KdYAiF72dOt7xSGy8vkum23EkQ2KJwtSWqmJnWGdRrn7G1.ANsy7XO5JOtmL7qSRmP1TlbovzuBs6lk7hNSe2FdJAlz6VyRC9L6MO6ndjYlLjBoB-AwdLrNdqukHMWNPkY8YD⟧',
  'yandex-api-key': 'YANDEX_API_KEY=⟦AQVNYhbx92ZkCITBZ7CC2PwOS9EFpDhbLk4RIzG7⟧',
  'yandex-aws-access-token': 'YANDEX_SECRET_ACCESS_KEY=⟦YCQM7IWqOM01-vt1OU4d03MxLk42MkYLjPignS0w⟧',
  'zendesk-secret-key': 'ZENDESK_API_TOKEN=⟦Pxi2DaqrlXc8jOy8olTY8DXBoV61K9ma0D3QKWES⟧',
};

const MARKED = /⟦([^⟧]+)⟧/g;

/** The sample as it is scanned, and the secrets in it. */
function parse(sample: string): { text: string; secrets: string[] } {
  return { text: sample.replace(/[⟦⟧]/g, ''), secrets: [...sample.matchAll(MARKED)].map((m) => m[1]!) };
}

describe('gitleaks coverage (GITLEAKS_COVERAGE)', function () {
  this.timeout(60_000);
  const engine = createEngineSync('builtin:default', { env: { ...process.env, EGRESS_GUARD_HASH_KEY: 'gitleaks-coverage-hash-key-0123456789' } });
  const entries = Object.entries(GITLEAKS_COVERAGE);
  const covered = entries.flatMap(([id, c]) => ('detectors' in c ? [id] : []));

  it('names the gitleaks commit its rule ids come from, and lists each rule id once', function () {
    assert.match(GITLEAKS_COMMIT, /^[0-9a-f]{40}$/);
    assert.isAtLeast(entries.length, 200, 'gitleaks has over 200 default rules');
    for (const [id] of entries) assert.match(id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, `rule id not kebab-case: ${id}`);
  });

  it('has one sample for each covered rule, and none for the others', function () {
    assert.sameMembers(Object.keys(SAMPLES), covered);
  });

  it('names only builtin detectors, at least one per covered rule', function () {
    const known = new Set(BUILTIN_DETECTORS.map((d) => d.id));
    for (const [id, c] of entries) {
      if (!('detectors' in c)) continue;
      assert.isAtLeast(c.detectors.length, 1, `${id}: no detector named`);
      for (const d of c.detectors) assert.isTrue(known.has(d), `${id}: unknown detector ${d}`);
    }
  });

  it('gives every rule it does not cover a reason, as a sentence, naming only builtin detectors', function () {
    const known = new Set(BUILTIN_DETECTORS.map((d) => d.id));
    for (const [id, c] of entries) {
      if (!('reason' in c)) continue;
      assert.match(c.reason, /^[A-Z].{30,}\.$/s, `${id}: the reason is not a sentence`);
      assert.isFalse(/\s{2}|\n/.test(c.reason), `${id}: the reason has a line break or double space`);
      // A detector id is written in backticks (`secret-assignment`); a token prefix (`key-`) is no id.
      for (const [, word] of c.reason.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)) {
        assert.isTrue(known.has(word!), `${id}: the reason names an unknown detector ${word}`);
      }
    }
  });

  for (const id of covered) {
    it(`${id}: a sample loses its secret to ${(GITLEAKS_COVERAGE[id] as { detectors: readonly string[] }).detectors.join(' or ')}`, function () {
      const named = (GITLEAKS_COVERAGE[id] as { detectors: readonly string[] }).detectors;
      const sample = SAMPLES[id];
      assert.isString(sample, `${id}: no sample`);
      const { text, secrets } = parse(sample!);
      assert.isAtLeast(secrets.length, 1, `${id}: the sample marks no secret`);
      const out = engine.scrubText(text, 'logs');
      const fired = [...new Set(out.findings.map((f) => f.detector))];
      assert.isTrue(secrets.every((s) => !out.text.includes(s)), `${id}: the secret is still in the output (findings: ${fired.join(', ') || 'none'})`);
      assert.isTrue(named.some((d) => fired.includes(d)), `${id}: none of ${named.join(', ')} fired (findings: ${fired.join(', ') || 'none'})`);
    });
  }
});
