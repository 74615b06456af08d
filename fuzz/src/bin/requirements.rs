//! The requirements parser (requirements.txt syntax, single requirements, pyproject).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let parsed = skua_requirements::parse_requirements(text);
        for entry in &parsed.entries {
            if let skua_requirements::EntryKind::Requirement(requirement) = &entry.kind {
                let _ = requirement.is_pinned();
            }
        }
        for line in text.lines().take(64) {
            let _ = skua_requirements::parse_requirement_lenient(line);
        }
    });
}
