use super::*;

// Fake, format-valid values assembled from pieces so no literal in this
// file matches a secret scanner.
const AWS_KEY_ID: &str = concat!("AKIA", "HBRPOIGF3CBFNOBM");
const AWS_TEMP_KEY_ID: &str = concat!("ASIA", "2O4RAK3VRJNVGFYG");
const AWS_SECRET: &str = concat!("TSHf6pWkLUyifDLkDmWJ", "6UuVTAIjvFu7WICPhDeO");
const AWS_SECRET_SLASHES: &str = concat!("ZIiBOB+Y6sHrFH2ZUCr+", "lgotu2iXW7/boIRoL3u6");
const GHP: &str = concat!("gh", "p_", "a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh");
const GHS: &str = concat!("gh", "s_", "7x41Ztpdp4K8ffUF0eWIXiiQE8JkqH3MB9n7");
const GITHUB_PAT: &str = concat!(
    "github",
    "_pat_",
    "IWUSmTtzQPxC5HChpoevbL",
    "_",
    "JoLoaeTOdoe5c3veGprQFnIiU74KKEpYEZAmggQBwBAD3UdRPPgdzUvZ3gp"
);
const GLPAT: &str = concat!("gl", "pat-", "yy5r2xJ7Fj4mgblEv0-9");
const SLACK_BOT: &str = concat!(
    "xo",
    "xb-",
    "2837465019-4829105738265-",
    "kT9pQ2wX7mZ4vB8nR3cL6yHd"
);
const SLACK_HOOK: &str = concat!(
    "https://hooks.slack.com/services/",
    "T04H7KQ2M/",
    "B05J3R8PL4N/",
    "n3z5dkyayq7YYDsBS9UYJQTF"
);
const STRIPE_LIVE: &str = concat!("sk", "_live_", "jmsn9dLVIdVuddLEG62Hkd9G");
const GOOGLE_KEY: &str = concat!("AI", "za", "H-Ggl2JfaQqHu42bojteVs3qfNUfTAFnT0t");
const JWT: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    ".",
    "eyJzdWIiOiJkZXBsb3ktYm90IiwiaWF0IjoxNzAwMDAwMDAwfQ",
    ".",
    "Euw0dwQ0FIunWe8Cz6SNDCdyZQJiJSZQdoHwHen3SO3"
);
const PEM_BODY: &str = concat!(
    "oXyGf3azU3iQOpMN0PZLqy1WwMZaMKA3P744B8vkKQlENCzsdfF8j61yX/ZFsan2\n",
    "Cw7gFp6r7O425u85HFJ+EJ4jKEIQOkrtDXtBi10Q71hA1XcW9aTMX1C+CI3+dXRZ\n",
    "v7qdYdk2r7xgHWPB6PRWJ1Gk8cgSCifdFzctEq8oB7GVvouNndNWYzjFnMpfS2Vi\n",
);

fn pem(label: &str) -> String {
    format!("-----BEGIN {label}-----\n{PEM_BODY}-----END {label}-----\n")
}

fn kinds(value: &str) -> Vec<TokenKind> {
    find_tokens(value).into_iter().map(|m| m.kind).collect()
}

/// Asserts exactly one token of `kind` whose text is `expected`.
fn assert_token(value: &str, kind: TokenKind, expected: &str) {
    let found = find_tokens(value);
    assert_eq!(found.len(), 1, "{value:?} -> {found:?}");
    assert_eq!(found[0].kind, kind, "{value:?}");
    assert_eq!(&value[found[0].range.clone()], expected, "{value:?}");
}

fn assert_no_token(value: &str) {
    let found = find_tokens(value);
    assert!(found.is_empty(), "{value:?} -> {found:?}");
}

#[test]
fn fake_fixtures_have_the_real_shapes() {
    assert_eq!(AWS_KEY_ID.len(), 20);
    assert_eq!(AWS_SECRET.len(), 40);
    assert_eq!(AWS_SECRET_SLASHES.len(), 40);
    assert_eq!(GHP.len(), 40);
    assert_eq!(GITHUB_PAT.len(), 93);
    assert_eq!(GOOGLE_KEY.len(), 39);
}

#[test]
fn aws_access_key_id() {
    assert_token(AWS_KEY_ID, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
    assert_token(AWS_TEMP_KEY_ID, TokenKind::AwsAccessKeyId, AWS_TEMP_KEY_ID);
    let line = format!("aws_access_key_id={AWS_KEY_ID}\n");
    assert_token(&line, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
    let url = format!("https://b.s3.amazonaws.com/x?AWSAccessKeyId={AWS_KEY_ID}&Expires=1");
    assert_token(&url, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
    assert_token(
        &format!("KEY_{AWS_KEY_ID}"),
        TokenKind::AwsAccessKeyId,
        AWS_KEY_ID,
    );
    // Glued into a longer identifier.
    assert_no_token(&format!("X{AWS_KEY_ID}"));
    assert_no_token(&format!("{AWS_KEY_ID}Q"));
    assert_no_token(&format!("{AWS_KEY_ID}x"));
    // Too short, lowercase, docs and masked values.
    assert_no_token(&AWS_KEY_ID[..19]);
    assert_no_token(&AWS_KEY_ID.to_lowercase());
    assert_no_token(concat!("AKIA", "IOSFODNN7", "EXAMPLE"));
    assert_no_token(concat!("AKIA", "XXXXXXXXXXXXXXXX"));
    assert_no_token(concat!("AKIA", "0000000000000000"));
    // Words that merely start with the prefixes.
    assert_no_token("ASIAN_MARKETS and ACCADEMIA and ABIAL");
    assert_no_token("Asia/Tokyo");
}

#[test]
fn aws_secret_access_key_needs_context() {
    let ini = format!(
        "[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n"
    );
    let found = find_tokens(&ini);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].kind, TokenKind::AwsAccessKeyId);
    assert_eq!(found[1].kind, TokenKind::AwsSecretAccessKey);
    assert_eq!(&ini[found[1].range.clone()], AWS_SECRET);

    let json = format!(
        r#"{{"AccessKeyId": "{AWS_TEMP_KEY_ID}", "SecretAccessKey": "{AWS_SECRET_SLASHES}"}}"#
    );
    assert_eq!(
        kinds(&json),
        [TokenKind::AwsAccessKeyId, TokenKind::AwsSecretAccessKey]
    );
    let shell = format!("export AWS_SECRET_ACCESS_KEY={AWS_SECRET}");
    assert_token(&shell, TokenKind::AwsSecretAccessKey, AWS_SECRET);
    let kwarg = format!("boto3.client('s3', aws_secret_access_key='{AWS_SECRET}')");
    assert_token(&kwarg, TokenKind::AwsSecretAccessKey, AWS_SECRET);

    // No context, wrong length, docs key, prose.
    assert_no_token(AWS_SECRET);
    assert_no_token(&format!("aws_secret_access_key = {}", &AWS_SECRET[..39]));
    assert_no_token(&format!("aws_secret_access_key = {AWS_SECRET}Z"));
    assert_no_token(concat!(
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
        "EXAMPLEKEY"
    ));
    assert_no_token("Set AWS_SECRET_ACCESS_KEY in the environment before running.");
    assert_no_token("aws_secret_access_key = abcdefghijabcdefghijabcdefghijabcdefghij");
}

#[test]
fn github_tokens() {
    assert_token(GHP, TokenKind::GitHubToken, GHP);
    assert_token(GHS, TokenKind::GitHubToken, GHS);
    assert_token(GITHUB_PAT, TokenKind::GitHubToken, GITHUB_PAT);
    let remote = format!("https://x-access-token:{GHP}@github.com/org/repo.git");
    assert_token(&remote, TokenKind::GitHubToken, GHP);
    // Too short, glued, placeholder, truncated fine-grained PAT.
    assert_no_token(&GHP[..39]);
    assert_no_token(&format!("my{GHP}"));
    assert_no_token(concat!("gh", "p_", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    assert_no_token(concat!("gh", "p_", "your_github_token_here"));
    assert_no_token(&GITHUB_PAT[..60]);
    assert_no_token("see the ghp_ prefix docs");
}

#[test]
fn gitlab_tokens() {
    assert_token(GLPAT, TokenKind::GitLabToken, GLPAT);
    assert_token(
        &format!("PRIVATE-TOKEN: {GLPAT}"),
        TokenKind::GitLabToken,
        GLPAT,
    );
    assert_no_token(&GLPAT[..20]);
    assert_no_token(concat!("gl", "pat-", "your-token-goes-here-now"));
    assert_no_token(concat!("gl", "pat-", "xxxxxxxxxxxxxxxxxxxx"));
}

#[test]
fn slack_tokens_and_webhooks() {
    assert_token(SLACK_BOT, TokenKind::SlackToken, SLACK_BOT);
    assert_token(
        &format!("token={SLACK_BOT}&channel=C1"),
        TokenKind::SlackToken,
        SLACK_BOT,
    );
    assert_no_token(concat!("xo", "xb-", "your-bot-token-here"));
    assert_no_token(concat!("xo", "xb-", "xxxxxxxxxxxx-xxxxxxxxxxxx"));
    assert_no_token(concat!("xo", "xb-", "123"));
    assert_no_token(concat!("xo", "xz-", "2837465019-4829105738265"));

    assert_token(SLACK_HOOK, TokenKind::SlackWebhook, SLACK_HOOK);
    let text = format!("curl -X POST {SLACK_HOOK} -d @payload.json");
    assert_token(&text, TokenKind::SlackWebhook, SLACK_HOOK);
    // Slack's own documentation sample and truncated URLs.
    assert_no_token(concat!(
        "https://hooks.slack.com/services/",
        "T00000000/B00000000/",
        "XXXXXXXXXXXXXXXXXXXXXXXX"
    ));
    assert_no_token("https://hooks.slack.com/services/T04H7KQ2M/B05J3R8PL4N/");
    assert_no_token("https://hooks.slack.com/services/");
    assert_no_token("https://api.slack.com/messaging/webhooks");
}

#[test]
fn stripe_live_keys_only() {
    assert_token(STRIPE_LIVE, TokenKind::StripeLiveKey, STRIPE_LIVE);
    let restricted = STRIPE_LIVE.replacen("sk_", "rk_", 1);
    assert_token(&restricted, TokenKind::StripeLiveKey, &restricted);
    assert_no_token(&STRIPE_LIVE.replacen("_live_", "_test_", 1));
    assert_no_token(&STRIPE_LIVE.replacen("sk_", "pk_", 1));
    assert_no_token(&STRIPE_LIVE[..30]);
    assert_no_token(concat!("sk", "_live_", "xxxxxxxxxxxxxxxxxxxxxxxx"));
}

#[test]
fn google_api_keys() {
    assert_token(GOOGLE_KEY, TokenKind::GoogleApiKey, GOOGLE_KEY);
    let url = format!("https://maps.googleapis.com/maps/api/geocode/json?key={GOOGLE_KEY}");
    assert_token(&url, TokenKind::GoogleApiKey, GOOGLE_KEY);
    assert_no_token(&GOOGLE_KEY[..38]);
    assert_no_token(&format!("{GOOGLE_KEY}x"));
    assert_no_token(&format!("x{GOOGLE_KEY}"));
}

#[test]
fn jwt() {
    assert_token(JWT, TokenKind::Jwt, JWT);
    assert_token(&format!("Bearer {JWT}"), TokenKind::Jwt, JWT);
    // jwt.io's sample token is documentation.
    assert_no_token(concat!(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.",
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    ));
    // Unsigned, two segments, or glued.
    let unsigned = &JWT[..JWT.rfind('.').unwrap_or(0) + 1];
    assert_no_token(unsigned);
    assert_no_token("eyJhbGciOiJIUzI1NiJ9");
    assert_no_token(&format!("x{JWT}"));
}

#[test]
fn private_keys_need_material() {
    for label in [
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        let key = pem(label);
        assert_token(&key, TokenKind::PrivateKey, key.trim_end());
    }
    // Escaped newlines, as in JSON blobs kept in a string.
    let escaped = pem("PRIVATE KEY").replace('\n', "\\n");
    assert_eq!(kinds(&escaped), [TokenKind::PrivateKey]);
    // Headers alone, elided bodies, public keys and certificates.
    assert_no_token("-----BEGIN PRIVATE KEY-----");
    assert_no_token("Paste a PEM that starts with -----BEGIN RSA PRIVATE KEY-----");
    assert_no_token(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----",
    );
    assert_no_token("-----BEGIN PRIVATE KEY-----\n");
    assert_no_token(&pem("PUBLIC KEY"));
    assert_no_token(&pem("CERTIFICATE"));
    let masked = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
        "X".repeat(128)
    );
    assert_no_token(&masked);
    // The rest of a key whose header was split off by concatenation (`"-----BEGIN
    // OPENSSH " + "PRIVATE KEY-----…"`): found when it opens the string.
    let tail = format!("\n    PRIVATE KEY-----\n{PEM_BODY}-----END OPENSSH PRIVATE KEY-----\n");
    assert_eq!(kinds(&tail), [TokenKind::PrivateKey]);
    assert_no_token(&format!(
        "see PRIVATE KEY-----\n{PEM_BODY}-----END OPENSSH PRIVATE KEY-----"
    ));
    assert_no_token(&format!(
        "PRIVATE KEY-----\n{PEM_BODY}-----END CERTIFICATE-----"
    ));
}

#[test]
fn gcp_service_account_json() {
    let key = pem("PRIVATE KEY").replace('\n', "\\n");
    let json = format!(
        r#"{{"type": "service_account", "project_id": "ops-prod", "private_key_id": "36a3566f893697b5", "private_key": "{key}", "client_email": "ci@ops-prod.iam.gserviceaccount.com"}}"#
    );
    let found = find_tokens(&json);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, TokenKind::GcpServiceAccountKey);
    assert!(json[found[0].range.clone()].starts_with("-----BEGIN PRIVATE KEY-----"));

    let template = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}"#;
    assert_no_token(template);
    assert_no_token(r#"{"type": "service_account", "private_key": ""}"#);
    assert_no_token("kind: service_account");
}

#[test]
fn multiple_tokens_are_ordered_and_disjoint() {
    let text = format!("{GHP} and {STRIPE_LIVE} and {AWS_KEY_ID}");
    assert_eq!(
        kinds(&text),
        [
            TokenKind::GitHubToken,
            TokenKind::StripeLiveKey,
            TokenKind::AwsAccessKeyId
        ]
    );
}

#[test]
fn ordinary_code_strings_have_no_tokens() {
    for s in [
        "",
        "hello world",
        "SELECT * FROM users WHERE id = %s",
        "eyJ",
        "-----BEGIN",
        "https://github.com/org/repo",
        "ACCESS_KEY_ID",
        "The AKIA prefix marks long-term keys",
        "xoxb-",
        "sk_live_",
        "service_account",
    ] {
        assert_no_token(s);
    }
}

#[test]
fn secret_names() {
    let secret = [
        "service_api_read_key",
        "MasterUserPassword",
        "datadog_app_admin_key",
        "password",
        "PASSWORD",
        "passwd",
        "pwd",
        "db_pass",
        "smtp_pw",
        "secret",
        "token",
        "api_key",
        "apikey",
        "APIKEY",
        "apiKey",
        "x-api-key",
        "X-Auth-Token",
        "Private-Token",
        "access_key",
        "secret_key",
        "SECRET_KEY",
        "DJANGO_SECRET_KEY",
        "private_key",
        "ssh_private_key",
        "client_secret",
        "clientSecret",
        "auth_token",
        "access_token",
        "refresh_token",
        "id_token",
        "bearer_token",
        "credentials",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "creds",
        "AWS_SECRET_ACCESS_KEY",
        "aws_session_token",
        "SecretAccessKey",
        "SessionToken",
        "DB_PASSWORD",
        "DB_PASSWORD_PROD",
        "MYSQL_ROOT_PASSWORD",
        "PGPASSWORD",
        "password2",
        "new_password",
        "admin_password",
        "slack_webhook",
        "slack_webhook_url",
        "SLACK_WEBHOOK_URL",
        "webhook_url",
        "webhook_secret",
        "AIRFLOW__CORE__FERNET_KEY",
        "encryption_key",
        "signing_key",
        "hmac_key",
        "jwt_secret",
        "JWT_SECRET_KEY",
        "STRIPE_API_KEY",
        "stripe_key",
        "DD_API_KEY",
        "DATADOG_APP_KEY",
        "storage_account_key",
        "AccountKey",
        "github_token",
        "GITHUB_TOKEN",
        "vault_token",
        "VAULT_TOKEN",
        "consumer_secret",
        "passphrase",
        "key_passphrase",
        "TF_VAR_db_password",
        "token_value",
        "api_key_b64",
        "_password",
        "self_password",
    ];
    for name in secret {
        assert!(is_secret_name(name, &[]), "{name} should be a secret name");
    }
    let not_secret = [
        "api_cache_key",
        "read_key",
        "token_url",
        "TOKEN_URL",
        "token_endpoint",
        "token_uri",
        "secret_name",
        "SecretName",
        "secret_id",
        "SecretId",
        "secret_arn",
        "SecretArn",
        "password_file",
        "password_path",
        "key_name",
        "KeyName",
        "key_id",
        "key",
        "KEY",
        "kms_key_id",
        "KmsKeyId",
        "public_key",
        "token_type",
        "password_field",
        "password_length",
        "min_password_length",
        "max_tokens",
        "num_tokens",
        "token_count",
        "tokenizer",
        "secret_manager",
        "secrets_manager",
        "secretsmanager",
        "passwordless",
        "password_env",
        "token_env_var",
        "password_var",
        "password_param",
        "ssm_param",
        "password_dir",
        "password_prompt",
        "password_label",
        "auth_header",
        "token_header",
        "password_pattern",
        "password_regex",
        "ssh_key_path",
        "is_secret",
        "has_password",
        "password_policy",
        "password_hash",
        "hashed_password",
        "encrypted_password",
        "aws_access_key_id",
        "AccessKeyId",
        "private_key_id",
        "client_id",
        "NextToken",
        "next_token",
        "nextToken",
        "ChangeToken",
        "update_token",
        "LifecycleActionToken",
        "page_token",
        "pagination_token",
        "ClientRequestToken",
        "continuation_token",
        "pad_token",
        "eos_token",
        "csrf_token",
        "s3_key",
        "object_key",
        "routing_key",
        "cache_key",
        "primary_key",
        "partition_key",
        "sort_key",
        "secret_type",
        "secret_version",
        "token_ttl",
        "token_expiry",
        "password_expires_at",
        "credentials_file",
        "credential_source",
        "sentry_dsn",
        "database_url",
        "username",
        "user",
        "host",
        "bypass",
        "passthrough",
        "compass",
        "hook",
        "hook_url",
        "keyboard",
        "monkey",
        "webhook_id",
        "use_token",
        "validate_password",
        "oldpwd",
        "OLDPWD",
        "",
        "_",
    ];
    for name in not_secret {
        assert!(
            !is_secret_name(name, &[]),
            "{name} should not be a secret name"
        );
    }
}

#[test]
fn extra_secret_names() {
    let extra = vec![
        "sig".to_string(),
        "vault_role_id".to_string(),
        "PIN".to_string(),
    ];
    assert!(is_secret_name("webhook_sig", &extra));
    assert!(is_secret_name("SIG", &extra));
    assert!(is_secret_name("WebhookSig", &extra));
    assert!(is_secret_name("my_vault_role_id", &extra));
    assert!(is_secret_name("VAULT_ROLE_ID", &extra));
    assert!(is_secret_name("card_pin", &extra));
    assert!(is_secret_name("card_pin_prod", &extra));
    assert!(!is_secret_name("signal", &extra));
    assert!(!is_secret_name("sig_name", &extra));
    assert!(!is_secret_name("role_id", &extra));
    assert!(!is_secret_name("spin", &extra));
    // Built-ins keep working alongside.
    assert!(is_secret_name("password", &extra));
    assert!(!is_secret_name("token_url", &extra));
}

#[test]
fn placeholders() {
    let placeholders = [
        "",
        "   ",
        "abc",
        "changeme",
        "change-me",
        "CHANGE_ME",
        "ChangeMe",
        "<your-token>",
        "<...>",
        "<TOKEN>",
        "W0000000?key=XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "${VAR}",
        "${DB_PASSWORD}",
        "$VAR",
        "$DB_PASSWORD",
        "{{ var }}",
        "{{ vault_password }}",
        "%(x)s",
        "%s",
        "{password}",
        "{}",
        "xxx",
        "XXXXXXXX",
        "xxxx-xxxx-xxxx",
        "***",
        "****",
        "...",
        "TODO",
        "REPLACE_ME",
        "replace-with-your-token",
        "your-api-key-here",
        "YOUR_API_KEY",
        "your_password",
        "yourApiKeyHere",
        "yourapikeyhere",
        "mysecretpassword",
        "example",
        "dummy",
        "fake",
        "test",
        "testing",
        "secret",
        "password",
        "none",
        "None",
        "null",
        "redacted",
        "REDACTED",
        "<redacted>",
        "__DB_PASSWORD__",
        "%DB_PASSWORD%",
        "@DB_PASSWORD@",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "my-example-key-123",
        "sk_live_xxxxxxxxxxxx",
        "sk_test_your_key_here",
        "ghp_your_token_here",
        "abc123...",
        "dummy-token-1",
        "test123",
        "password1",
        "secret123",
        "Changeme2024",
        "not-a-real-secret",
        "0000",
    ];
    for value in placeholders {
        assert!(is_placeholder(value), "{value:?} should be a placeholder");
    }
    let real = [
        "hunter2",
        "S3cr3tP@ss!",
        "P@ssw0rd123",
        "Tr0ub4dor&3",
        "a8f5f167f44f4964e6c998dee827110c",
        AWS_SECRET,
        GHP,
        "postgres",
        "letmein",
        "correcthorse",
        "Summer2024!",
        "pass",
    ];
    for value in real {
        assert!(
            !is_placeholder(value),
            "{value:?} should not be a placeholder"
        );
    }
}

#[test]
fn secret_looking_values() {
    let secrets = [
        "hunter2",
        "S3cr3tP@ss!",
        "P@ssw0rd123",
        "Tr0ub4dor&3",
        "a8f5f167f44f4964e6c998dee827110c",
        "xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK",
        AWS_SECRET,
        AWS_SECRET_SLASHES,
        GHP,
        STRIPE_LIVE,
        JWT,
        "django-insecure-9k#f2!x@v8$qz^m4wp0&c7e",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        "Sup3r-S3cret",
        "s3cr3t_p4ss",
        "87654321",
        "kJhGfDsAqWeRtYuI",
        "base64:dGhpcyBpcyBhIHRlc3Qga2V5IGZvciBsYXJhdmVs",
        "  padded-S3cret!  ",
        "https://discord.com/api/webhooks/1187200000000000000/6jDHz2oCtIsjhvNK4p7MZI_4kf3PGdlDcIfw84Jx3-l8S0QPnuQ0_KZe6lOGPoZa70gy",
        "Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd",
        r#"{"username": "svc-deploy", "password": "Pr0d-Db!2024"}"#,
        "{'password': 'Pr0d-Db!2024'}",
    ];
    for value in secrets {
        assert!(
            looks_like_secret_value(value),
            "{value:?} should look like a secret"
        );
    }
    let not_secrets = [
        "",
        "changeme",
        "${DB_PASSWORD}",
        "{{ vault_password }}",
        "prod/db/password",
        "/app/prod/db_password",
        "secret/data/myapp/db",
        "projects/my-proj/secrets/db-pass/versions/latest",
        "projects/123456789012/secrets/db-pass/versions/3",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db_password",
        "vault:secret/data/db#password",
        "env:DB_PASSWORD",
        "https://auth.corp.internal/oauth2/token",
        "https://vault.internal:8200/v1/secret/data/app",
        "https://myvault.vault.azure.net/secrets/db-password",
        "postgresql://app:S3cretPass@db.internal:5432/app",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "~/.ssh/id_rsa",
        "/etc/secrets/token",
        "/run/secrets/db_password",
        "./secrets/dev.env",
        "creds.json",
        "service-account.json",
        "server.key",
        "C:\\secrets\\token.txt",
        "DB_PASSWORD",
        "GITHUB_TOKEN",
        "AWSCURRENT",
        "Enter your password:",
        "Password for the admin user",
        "{password}",
        "%s",
        "%(password)s",
        "my-app-secret",
        "db-credentials",
        "prod.db.password",
        "X-API-Key",
        "X-Vault-Token",
        "id_ed25519",
        "redis-0",
        "Opaque",
        "kubernetes.io/tls",
        "kubernetes.io/dockerconfigjson",
        "bootstrap.kubernetes.io/token",
        "bearer",
        "Bearer",
        "basic",
        "client_credentials",
        "password",
        "refresh_token",
        "SecureString",
        "String",
        "admin",
        "guest",
        "postgres",
        "letmein",
        "SuperSecret",
        "lambda",
        "rbracket",
        "waitForTaskToken",
        "AWSSecretKey",
        "serverlessrepo:applicationId",
        "[^\\W\\d]\\w*",
        "abc123",
        "123456",
        "12345678",
        "test123",
        "#bygroup",
        "@primary",
        "[!#$%&'*+.^_`|~0-9A-Za-z-]",
        "pass",
        "abc12",
        "v1.2.3",
        "2024-01-01",
        "10.0.0.12",
        "ops@corp.example",
        "ops-team@corp.io",
        "pk_live_51Hx8KqL2mNp4Rt7Vw9Yz3Bc6Df",
        "sk_test_51Hx8KqL2mNp4Rt7Vw9Yz3Bc6Df",
        "ssh-ed25519",
        "Bearer {token}",
        "Bearer ",
        r#"{"username": "svc", "password": "{{ db_password }}"}"#,
        "{'secret_name': 'prod/db'}",
        "000000",
        "111111111",
    ];
    for value in not_secrets {
        assert!(
            !looks_like_secret_value(value),
            "{value:?} should not look like a secret"
        );
    }
}

#[test]
fn realistic_assignments() {
    let flagged = [
        ("DB_PASS", "pg_pr0d_2023"),
        ("jenkins_password", "admin123!"),
        ("smtp_password", "mailpass2023"),
        ("secret", "s3cr3t"),
        ("AZURE_CLIENT_SECRET", "Xy8Q~kT9pQ2wX7mZ4vB8nR3cL6yHd"),
        ("FERNET_KEY", "xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDK="),
        ("datadog_api_key", "36a3566f893697b590481194f309ffea"),
        (
            "sendgrid_api_key",
            "SG.kT9pQ2wX7mZ4vB8nR3cL6y.Hd36a3566f893697b590481194f309ffea",
        ),
        ("ldap_bind_password", "Ldap#2024"),
        (
            "webhook_url",
            "https://outlook.office.com/webhook/3f2504e0-4f89-11d3-9a0c-0305e82c3301@3f2504e0-4f89-11d3-9a0c-0305e82c3301/IncomingWebhook/36a3566f893697b590481194f309ffea/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        ),
        (
            "SecretString",
            r#"{"username": "admin", "password": "Pr0d-Db!2024"}"#,
        ),
        ("vault_token", "hvs.Ehh2FDEEtfjgVvVqE1SkHbn8"),
    ];
    for (name, value) in flagged {
        assert!(
            is_secret_name(name, &[]) && looks_like_secret_value(value),
            "{name}={value:?} should be flagged"
        );
    }
    let not_flagged = [
        ("password", "******"),
        (
            "password",
            "$2b$12$KIXQJz8uQ1m3W5b6Y7c8d.e9f0g1h2i3j4k5l6m7n8o9p0q1r2s3t",
        ),
        (
            "password",
            "ENC[AES256_GCM,data:Tr3kx,iv:abc=,tag:def=,type:str]",
        ),
        (
            "password",
            "gAAAAABkT9pQ2wX7mZ4vB8nR3cL6yHd36a3566f893697b5",
        ),
        (
            "password",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        ),
        ("password", "secretsmanager:prod/db"),
        ("token", "github_token"),
        ("client_secret", "client-secret-from-vault"),
        ("credentials", "default"),
        ("credentials", "service-account.json"),
        ("RABBITMQ_PASSWORD", "guest"),
        ("token", "lambda"),
        (
            "SecretString",
            r#"{"username": "admin", "password": "${DB_PASSWORD}"}"#,
        ),
        ("webhook_url", "https://ci.corp.io/hooks/deploy"),
        ("AWS_SECRET_ID", "prod/app/db"),
        ("NextToken", "eyJ2IjoxLCJjIjoiYWJjMTIzIn0="),
    ];
    for (name, value) in not_flagged {
        assert!(
            !(is_secret_name(name, &[]) && looks_like_secret_value(value)),
            "{name}={value:?} should not be flagged"
        );
    }
}

fn password_of(url: &str) -> Option<&str> {
    url_password(url).map(|r| &url[r])
}

#[test]
fn url_passwords() {
    let cases = [
        (
            "postgresql://app:S3cretPass@db.internal:5432/app",
            Some("S3cretPass"),
        ),
        (
            "postgresql+psycopg2://etl:Etl-2024-pw@warehouse:5432/dw",
            Some("Etl-2024-pw"),
        ),
        (
            "mysql://root:r00tPa55@mysql.prod:3306/shop",
            Some("r00tPa55"),
        ),
        ("redis://:Xy9zPass@cache:6379/0", Some("Xy9zPass")),
        (
            "amqp://svc:Rabb1tMQ!@mq.internal:5672/%2F",
            Some("Rabb1tMQ!"),
        ),
        (
            "mongodb+srv://admin:M0ngoPass@cluster0.ab1cd.mongodb.net/db?retryWrites=true",
            Some("M0ngoPass"),
        ),
        (
            "https://deploy:tok3nValue99@github.com/org/repo.git",
            Some("tok3nValue99"),
        ),
        ("postgres://u:p%40ss-w0rd@db/x", Some("p%40ss-w0rd")),
        (
            "postgres://u:p#ss/w0rd@db.internal:5432/x",
            Some("p#ss/w0rd"),
        ),
        (
            "see DATABASE_URL=postgres://app:Zq8-Lm2!@db:5432/app for details",
            Some("Zq8-Lm2!"),
        ),
        ("postgresql://user:password@localhost/db", None),
        ("postgres://postgres:postgres@localhost:5432/test", None),
        ("amqp://guest:guest@localhost:5672//", None),
        ("postgresql://scott:tiger@localhost/mydatabase", None),
        ("postgresql://{user}:{pw}@{host}:5432/{db}", None),
        ("postgresql://app:${DB_PASSWORD}@db/app", None),
        ("postgresql://app:%(password)s@db/app", None),
        ("postgresql://<user>:<password>@<host>/db", None),
        ("postgresql://app:****@db/app", None),
        ("postgresql://app:@db/app", None),
        ("postgresql://app@db/app", None),
        ("https://user@host", None),
        ("ssh://git@github.com:22/org/repo.git", None),
        ("https://example.com:8443/path", None),
        ("https://host:8080/x?email=a@b.com", None),
        ("https://host:8080/x/@y", None),
        ("http://[::1]:8080/", None),
        ("no url here", None),
        ("://a:b@c", None),
    ];
    for (url, expected) in cases {
        assert_eq!(password_of(url), expected, "{url}");
    }
}

#[test]
fn connection_string_passwords() {
    let cases = [
        (
            "host=db.internal dbname=app user=app password=S3cretPass",
            Some("S3cretPass"),
        ),
        ("host=db user=app password='Sq 9 x!'", Some("Sq 9 x!")),
        (
            "Driver={ODBC Driver 18};Server=sql01;UID=sa;PWD=Str0ng!Pass;",
            Some("Str0ng!Pass"),
        ),
        (
            "Server=sql01;User Id=sa;Password={semi;colon9};",
            Some("semi;colon9"),
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=ops;AccountKey=xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK;EndpointSuffix=core.windows.net",
            Some("xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK"),
        ),
        ("host=db user=app password=${PGPASSWORD}", None),
        ("host=db user=app password={password}", None),
        ("host=db user=app password=changeme", None),
        ("set password=S3cretPass", None),
        ("host=db user=app", None),
        ("mypassword=abc;x=y", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            connection_string_password(text).map(|r| &text[r]),
            expected,
            "{text}"
        );
    }
}

#[test]
fn auth_header_credentials() {
    let basic_user_pass = "Basic dXNlcjpwYXNz";
    let bearer = format!("Bearer {JWT}");
    let cases: Vec<(&str, Option<&str>)> = vec![
        (&bearer, Some(JWT)),
        (basic_user_pass, Some("dXNlcjpwYXNz")),
        ("Basic abc123def456", Some("abc123def456")),
        (
            "bearer kT9pQ2wX7mZ4vB8nR3cL6yHd",
            Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
        ),
        (
            concat!("token ", "gh", "p_", "a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh"),
            Some(GHP),
        ),
        (
            "Bot MTE4NzIwMDAwMDAwMDAwMDA.GhXyZ1.kT9pQ2wX7mZ4vB8nR3cL6yHd",
            Some("MTE4NzIwMDAwMDAwMDAwMDA.GhXyZ1.kT9pQ2wX7mZ4vB8nR3cL6yHd"),
        ),
        (
            "  Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd  ",
            Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
        ),
        (
            "curl -H 'Authorization: Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd' https://api",
            Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
        ),
        (
            "Authorization: Basic c3ZjOlMzY3JldCE=",
            Some("c3ZjOlMzY3JldCE="),
        ),
        ("Bearer {token}", None),
        ("Bearer ", None),
        ("Bearer", None),
        ("Bearer ${TOKEN}", None),
        ("Bearer $TOKEN", None),
        ("Bearer <token>", None),
        ("Bearer %s", None),
        ("Bearer YOUR_TOKEN", None),
        ("Bearer your-token-here", None),
        ("Bearer token", None),
        ("Bearer abcdefghijk", None),
        ("Bearer token required for this endpoint", None),
        ("Basic authentication is not supported", None),
        // base64("username:password") is documentation.
        ("Basic dXNlcm5hbWU6cGFzc3dvcmQ=", None),
        ("Basic ${CREDS}", None),
        ("Digest realm=x", None),
        ("Authorization", None),
        ("", None),
    ];
    for (value, expected) in cases {
        assert_eq!(
            auth_header_credential(value).map(|r| &value[r]),
            expected,
            "{value:?}"
        );
    }
}

#[test]
fn redaction_never_leaks_the_value() {
    for secret in [
        "",
        "a",
        "abc",
        "hunter2",
        "S3cr3tP@ss!",
        GHP,
        AWS_SECRET,
        JWT,
        "pässwörd-ünïcode",
    ] {
        let shown = redact(secret);
        assert!(shown.ends_with("****"), "{shown}");
        if !secret.is_empty() {
            assert!(!shown.contains(secret), "{secret} -> {shown}");
        }
        let kept = shown.chars().count() - 4;
        assert!(
            kept <= 4 && kept <= secret.chars().count() / 4,
            "{secret} -> {shown}"
        );
    }
    assert_eq!(redact(GHP), "ghp_****");
    assert_eq!(redact("hunter2"), "h****");
    assert_eq!(redact("abc"), "****");
}

#[test]
fn arbitrary_input_never_panics() {
    // Fragments that steer the scanners into their deeper branches,
    // mixed with multi-byte characters to catch slicing off a char boundary.
    const PIECES: &[&str] = &[
        "AKIA",
        "ghp_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "hooks.slack.com/services/",
        "T1/",
        "B2/",
        "sk_live_",
        "AIza",
        "-----BEGIN ",
        "PRIVATE KEY-----",
        "-----END ",
        "eyJ",
        ".",
        "aws_secret",
        "=",
        ":",
        "\\n",
        "\n",
        "://",
        "@",
        "/",
        "?",
        "#",
        "%",
        "{",
        "}",
        "$",
        "<",
        ">",
        "'",
        "\"",
        "Bearer ",
        "Basic ",
        "authorization: ",
        "password=",
        ";",
        "&",
        " ",
        "service_account",
        "private_key",
        "type",
        "é",
        "日本",
        "🔑",
        "Ab3",
        "xY9/",
        "+",
        "_",
        "-",
        "0",
        "Z",
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..5_000 {
        let len = (next() % 40) as usize;
        let mut s = String::new();
        for _ in 0..len {
            s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        for m in find_tokens(&s) {
            assert!(s.get(m.range.clone()).is_some(), "{s:?}");
        }
        for range in [
            url_password(&s),
            auth_header_credential(&s),
            connection_string_password(&s),
        ]
        .into_iter()
        .flatten()
        {
            assert!(s.get(range).is_some(), "{s:?}");
        }
        let _ = looks_like_secret_value(&s);
        let _ = is_secret_name(&s, &["sig".to_string()]);
        let _ = redact(&s);
    }
}

#[test]
fn descriptions() {
    assert_eq!(TokenKind::AwsAccessKeyId.description(), "AWS access key ID");
    assert_eq!(TokenKind::GitHubToken.description(), "GitHub token");
    assert_eq!(TokenKind::PrivateKey.description(), "private key");
}

#[test]
fn class_names_are_not_secrets() {
    for value in [
        "V1SecretVolumeSource",
        "V1WebhookConversion",
        "V1ServiceAccountTokenProjection",
        "IAMRoleCredentials",
    ] {
        assert!(!looks_like_secret_value(value), "{value}");
    }
    for value in ["aB3dE5fG7hJ9kL2mN4pQ", "Tr0ub4dor&3", "x9KqV2mZr7Tt4WpLs8"] {
        assert!(looks_like_secret_value(value), "{value}");
    }
}
