//! DEP001 fixes: the edits that pin flagged requirements to resolved versions, keeping
//! everything else of the line (extras, markers, comments, layout).

use std::ops::Range;

use skua_requirements::{EntryKind, ListedRequirement, Requirement};

use crate::discovery::FileKind;
use crate::fix::{Edit, Fix};
use crate::pin::Pins;

/// The fixes for the DEP001 findings at `flagged` in `text` (a file of `kind`, shown as
/// `display`), and a warning for each finding that cannot be pinned, naming it.
pub(crate) fn pin_fixes(
    kind: FileKind,
    text: &str,
    flagged: &[Range<usize>],
    pins: &Pins,
    display: &str,
) -> (Vec<Fix>, Vec<String>) {
    let mut fixes = Vec::new();
    let mut warnings = Vec::new();
    let mut matched: Vec<&Range<usize>> = Vec::new();
    match kind {
        FileKind::Requirements => {
            let parsed = skua_requirements::parse_requirements(text);
            // A file that hashes its pins (`--require-hashes` mode) needs hashes on new ones.
            let uses_hashes = parsed
                .requirements()
                .any(|(_, requirement)| !requirement.hashes.is_empty());
            // Continuation lines in the file's own line ending.
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            for entry in &parsed.entries {
                let EntryKind::Requirement(requirement) = &entry.kind else {
                    continue;
                };
                let Some(range) = flagged.iter().find(|range| **range == requirement.span) else {
                    continue;
                };
                matched.push(range);
                match requirements_fix(requirement, &entry.span, uses_hashes, newline, pins) {
                    Ok(fix) => fixes.push(fix),
                    Err(why) => warnings.push(format!(
                        "{display}:{}: `{}` not pinned: {why}",
                        entry.line, requirement.name
                    )),
                }
            }
        }
        FileKind::Pyproject => {
            if let Ok(pyproject) = skua_requirements::parse_pyproject(text) {
                listed_fixes(
                    text,
                    &pyproject.dependencies,
                    0,
                    flagged,
                    pins,
                    display,
                    &mut matched,
                    &mut fixes,
                    &mut warnings,
                );
            }
        }
        FileKind::Python | FileKind::ExtensionlessScript => {
            let source = text.strip_prefix('\u{feff}').unwrap_or(text);
            let bom = text.len() - source.len();
            if let Ok(Some(metadata)) = skua_requirements::parse_script_metadata(source) {
                listed_fixes(
                    text,
                    &metadata.dependencies,
                    bom,
                    flagged,
                    pins,
                    display,
                    &mut matched,
                    &mut fixes,
                    &mut warnings,
                );
            }
        }
        FileKind::Dotenv | FileKind::Config | FileKind::Notebook => {}
    }
    for range in flagged {
        if !matched.contains(&range) {
            let line = text[..range.start.min(text.len())].matches('\n').count() + 1;
            let what = text
                .get(range.clone())
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("");
            warnings.push(format!(
                "{display}:{line}: `{what}` not pinned: `--fix` pins requirements files, PEP 723 blocks and `[project] dependencies` only (pin Poetry dependencies with `poetry lock`)"
            ));
        }
    }
    (fixes, warnings)
}

fn pin_for<'p>(requirement: &Requirement, pins: &'p Pins) -> Result<&'p crate::pin::Pin, String> {
    let name = requirement
        .package_name
        .as_ref()
        .ok_or_else(|| "it has no valid name".to_string())?;
    let pin = pins.versions.get(name).ok_or_else(|| {
        match &requirement.marker {
            Some(marker) => format!(
                "the resolution for this target has no version of it (its marker `{marker}` is false here; pass --python-version/--python-platform for the target it is meant for)"
            ),
            None => "the resolution has no version of it".to_string(),
        }
    })?;
    // A pin must satisfy what it replaces; the resolver guarantees it, and this keeps a
    // surprise (an override, a bug) from being written silently.
    let version: skua_types::Version = pin
        .version
        .parse()
        .map_err(|_| format!("the resolved version `{}` is not a version", pin.version))?;
    let allowed = requirement
        .version_specifiers()
        .map_err(|error| format!("its version specifiers do not parse: {error}"))?;
    if !allowed.contains(&version) {
        return Err(format!(
            "the resolved version {version} does not satisfy `{}`",
            requirement.specifiers
        ));
    }
    Ok(pin)
}

fn hash_lines(hashes: &[String], newline: &str) -> String {
    hashes
        .iter()
        .map(|hash| format!(" \\{newline}    --hash=sha256:{hash}"))
        .collect()
}

/// `boto3>=1.28  # aws` → `boto3==1.34.69  # aws`, with `--hash` lines in a hashed file.
fn requirements_fix(
    requirement: &Requirement,
    line_span: &Range<usize>,
    uses_hashes: bool,
    newline: &str,
    pins: &Pins,
) -> Result<Fix, String> {
    let pin = pin_for(requirement, pins)?;
    if !requirement.hashes.is_empty() {
        return Err(
            "its `--hash` options belong to another version; regenerate the file with `skua lock`"
                .to_string(),
        );
    }
    let spec = format!("=={}", pin.version);
    let mut edits = Vec::new();
    if uses_hashes {
        if pin.hashes.is_empty() {
            return Err(format!(
                "the index lists no sha256 for version {}, and this file uses hashes",
                pin.version
            ));
        }
        let hashes = hash_lines(&pin.hashes, newline);
        // The specifier ends the line when there is no marker: one edit, not two
        // insertions at one point.
        if requirement.specifiers_span.end == line_span.end {
            edits.push(Edit::replace(
                requirement.specifiers_span.clone(),
                format!("{spec}{hashes}"),
            ));
        } else {
            edits.push(Edit::replace(requirement.specifiers_span.clone(), spec));
            edits.push(Edit::insert(line_span.end, hashes));
        }
    } else {
        edits.push(Edit::replace(requirement.specifiers_span.clone(), spec));
    }
    Ok(Fix::safe(
        format!("Pin to `{}=={}`", requirement.name, pin.version),
        edits,
    ))
}

#[allow(clippy::too_many_arguments)]
fn listed_fixes<'f>(
    text: &str,
    listed: &[ListedRequirement],
    offset: usize,
    flagged: &'f [Range<usize>],
    pins: &Pins,
    display: &str,
    matched: &mut Vec<&'f Range<usize>>,
    fixes: &mut Vec<Fix>,
    warnings: &mut Vec<String>,
) {
    for item in listed {
        let span = item.span.start + offset..item.span.end + offset;
        let Some(range) = flagged.iter().find(|range| **range == span) else {
            continue;
        };
        matched.push(range);
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        match listed_fix(text, item, span, pins) {
            Ok(fix) => fixes.push(fix),
            Err(why) => warnings.push(format!(
                "{display}:{line}: `{}` not pinned: {why}",
                item.raw
            )),
        }
    }
}

/// `"boto3>=1.28"` → `"boto3==1.34.69"` in a TOML array, quoting as the file did.
fn listed_fix(
    text: &str,
    item: &ListedRequirement,
    span: Range<usize>,
    pins: &Pins,
) -> Result<Fix, String> {
    let parsed = item
        .parsed
        .as_ref()
        .map_err(|error| format!("it does not parse: {error}"))?;
    let pin = pin_for(parsed, pins)?;
    // Spans relative to the decoded string, whatever escapes the TOML used.
    let requirement: Requirement = item
        .raw
        .parse()
        .map_err(|error: skua_requirements::ParseError| format!("it does not parse: {error}"))?;
    let spec = requirement.specifiers_span.clone();
    let pinned = format!(
        "{}=={}{}",
        &item.raw[..spec.start],
        pin.version,
        &item.raw[spec.end..]
    );
    let token = text.get(span.clone()).unwrap_or("");
    let encoded = toml_string(token, &pinned);
    Ok(Fix::safe(
        format!("Pin to `{}=={}`", parsed.name, pin.version),
        vec![Edit::replace(span, encoded)],
    ))
}

/// `value` as a TOML string in the quoting of `token` (the string it replaces) when that
/// needs no escapes, else as `toml_edit` writes it.
fn toml_string(token: &str, value: &str) -> String {
    let plain = !value.chars().any(|c| c.is_control() || c == '\\');
    if token.starts_with("\"\"\"") || token.starts_with("'''") {
        // Multi-line strings: written fresh.
    } else if token.starts_with('"') && plain && !value.contains('"') {
        return format!("\"{value}\"");
    } else if token.starts_with('\'') && plain && !value.contains('\'') {
        return format!("'{value}'");
    }
    toml_edit::Value::from(value).to_string().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pin::Pin;

    fn pins(list: &[(&str, &str)]) -> Pins {
        Pins {
            versions: list
                .iter()
                .map(|(name, version)| {
                    (
                        skua_types::PackageName::new(name).expect("name"),
                        Pin {
                            version: version.to_string(),
                            hashes: vec!["aa".repeat(32), "bb".repeat(32)],
                        },
                    )
                })
                .collect(),
            warnings: Vec::new(),
        }
    }

    fn fix_all(
        kind: FileKind,
        text: &str,
        flagged: &[Range<usize>],
        pins: &Pins,
    ) -> (String, Vec<String>) {
        let (fixes, warnings) = pin_fixes(kind, text, flagged, pins, "f");
        let (out, _) = crate::fix::apply_fixes(text, &fixes);
        (out, warnings)
    }

    fn spans(text: &str) -> Vec<Range<usize>> {
        skua_requirements::parse_requirements(text)
            .requirements()
            .filter(|(_, requirement)| !requirement.is_pinned())
            .map(|(_, requirement)| requirement.span.clone())
            .collect()
    }

    #[test]
    fn pins_requirements_keeping_markers_extras_and_comments() {
        let text = "# tools\nboto3>=1.28  # aws\nrequests[socks] ; python_version >= \"3.8\"\nclick==8.1.7\nmissing\n";
        let (out, warnings) = fix_all(
            FileKind::Requirements,
            text,
            &spans(text),
            &pins(&[("boto3", "1.34.69"), ("requests", "2.31.0"), ("click", "9")]),
        );
        assert_eq!(
            out,
            "# tools\nboto3==1.34.69  # aws\nrequests[socks]==2.31.0 ; python_version >= \"3.8\"\nclick==8.1.7\nmissing\n"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("f:5: `missing` not pinned"),
            "{warnings:?}"
        );
    }

    #[test]
    fn poetry_dependencies_are_named_not_pinned() {
        let text = "[tool.poetry.dependencies]\npython = \"^3.11\"\nboto3 = \"^1.28\"\n";
        let start = text.find("boto3").expect("boto3");
        let (fixes, warnings) = pin_fixes(
            FileKind::Pyproject,
            text,
            std::slice::from_ref(&(start..start + 5)),
            &pins(&[("boto3", "1.34.69")]),
            "pyproject.toml",
        );
        assert!(fixes.is_empty());
        assert!(
            warnings[0].starts_with(
                "pyproject.toml:3: `boto3` not pinned: `--fix` pins requirements files"
            ),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_pin_outside_the_range_is_refused() {
        let text = "boto3>=2\n";
        let (out, warnings) = fix_all(
            FileKind::Requirements,
            text,
            &spans(text),
            &pins(&[("boto3", "1.34.69")]),
        );
        assert_eq!(out, text);
        assert!(
            warnings[0].contains("the resolved version 1.34.69 does not satisfy `>=2`"),
            "{warnings:?}"
        );
    }

    #[test]
    fn hashed_files_get_hashes() {
        let text = "six==1.16.0 \\\n    --hash=sha256:1111\nboto3  # aws\nattrs>=23 ; python_version > \"3\"\n";
        let (out, warnings) = fix_all(
            FileKind::Requirements,
            text,
            &spans(text),
            &pins(&[("boto3", "1.34.69"), ("attrs", "23.2.0")]),
        );
        let hashes = format!(
            " \\\n    --hash=sha256:{} \\\n    --hash=sha256:{}",
            "aa".repeat(32),
            "bb".repeat(32)
        );
        assert_eq!(
            out,
            format!(
                "six==1.16.0 \\\n    --hash=sha256:1111\nboto3==1.34.69{hashes}  # aws\nattrs==23.2.0 ; python_version > \"3\"{hashes}\n"
            )
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(!crate::linter::breaks_syntax(
            FileKind::Requirements,
            text,
            &out
        ));
    }

    #[test]
    fn pins_toml_strings_in_their_quoting() {
        let text = "[project]\nname = \"app\"\ndependencies = [\n  # the SDK\n  \"boto3>=1.28\",\n  'requests ; python_version > \"3\"',\n  \"click\\u0021=1\",\n]\n";
        let parsed = skua_requirements::parse_pyproject(text).expect("toml");
        let flagged: Vec<Range<usize>> = parsed
            .dependencies
            .iter()
            .map(|item| item.span.clone())
            .collect();
        let (out, warnings) = fix_all(
            FileKind::Pyproject,
            text,
            &flagged,
            &pins(&[
                ("boto3", "1.34.69"),
                ("requests", "2.31.0"),
                ("click", "8.1.7"),
            ]),
        );
        assert!(
            out.contains("  # the SDK\n  \"boto3==1.34.69\",\n"),
            "{out}"
        );
        assert!(
            out.contains("  'requests==2.31.0 ; python_version > \"3\"',\n"),
            "{out}"
        );
        assert!(out.contains("\"click==8.1.7\""), "{out}");
        assert!(warnings.is_empty(), "{warnings:?}");
        let reparsed = skua_requirements::parse_pyproject(&out).expect("still TOML");
        assert!(
            reparsed
                .dependencies
                .iter()
                .all(|item| item.parsed.as_ref().is_ok_and(Requirement::is_pinned))
        );
    }
}
