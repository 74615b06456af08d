//! Activation scripts for the shells people actually use. Each one sets `VIRTUAL_ENV`
//! and `VIRTUAL_ENV_PROMPT`, puts the venv's `bin` first on `PATH`, hides `PYTHONHOME`
//! (which would point the venv's python at another installation), prefixes the prompt
//! unless `VIRTUAL_ENV_DISABLE_PROMPT` is set, and defines `deactivate` to undo it all.
//!
//! `VIRTUAL_ENV_PROMPT` holds the bare name and the parentheses are added when the
//! prompt is drawn, as CPython 3.12+ and uv do, so prompt frameworks that read the
//! variable get the name alone.

const BASH: &str = r#"# Source this file from bash or zsh: `source {{BIN}}/activate`.
# Running it as a program cannot change the calling shell, so that is refused.
if [ "${BASH_SOURCE-}" = "$0" ]; then
    echo "activate must be sourced: run \`source $0\` instead" >&2
    exit 33
fi

deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH-}" ]; then
        PATH="$_OLD_VIRTUAL_PATH"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME-}" ]; then
        PYTHONHOME="$_OLD_VIRTUAL_PYTHONHOME"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1+set}" ]; then
        PS1="$_OLD_VIRTUAL_PS1"
        export PS1
        unset _OLD_VIRTUAL_PS1
    fi
    unset VIRTUAL_ENV
    unset VIRTUAL_ENV_PROMPT
    # Commands found under the venv's bin must not stay cached after leaving it.
    hash -r 2>/dev/null
    if [ "${1-}" != "nondestructive" ]; then
        unset -f deactivate
    fi
}

# Activating over another environment first leaves that one cleanly.
deactivate nondestructive

VIRTUAL_ENV={{VIRTUAL_ENV}}
export VIRTUAL_ENV
VIRTUAL_ENV_PROMPT={{PROMPT}}
export VIRTUAL_ENV_PROMPT

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/{{BIN}}:$PATH"
export PATH

if [ -n "${PYTHONHOME-}" ]; then
    _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME"
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT-}" ]; then
    _OLD_VIRTUAL_PS1="${PS1-}"
    PS1="(${VIRTUAL_ENV_PROMPT}) ${PS1-}"
    export PS1
fi

hash -r 2>/dev/null
"#;

const FISH: &str = r#"# Source this file from fish: `source {{BIN}}/activate.fish`.

function deactivate -d "Leave the virtual environment"
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if set -q _OLD_FISH_PROMPT_OVERRIDE
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _skua_old_fish_prompt
            functions -e fish_prompt
            functions -c _skua_old_fish_prompt fish_prompt
            functions -e _skua_old_fish_prompt
        end
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != "nondestructive"
        functions -e deactivate
    end
end

# Activating over another environment first leaves that one cleanly.
deactivate nondestructive

set -gx VIRTUAL_ENV {{VIRTUAL_ENV}}
set -gx VIRTUAL_ENV_PROMPT {{PROMPT}}

set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/{{BIN}}" $PATH

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    if functions -q fish_prompt
        functions -c fish_prompt _skua_old_fish_prompt
    else
        function _skua_old_fish_prompt
        end
    end
    function fish_prompt
        # The previous prompt may show the last command's status, so keep it intact.
        set -l old_status $status
        printf "(%s) " $VIRTUAL_ENV_PROMPT
        echo "exit $old_status" | source
        _skua_old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
"#;

const CSH: &str = r#"# Source this file from csh or tcsh: `source {{BIN}}/activate.csh`.

alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH" && unset _OLD_VIRTUAL_PATH; rehash; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\!:*" != "nondestructive" && unalias deactivate'

# Activating over another environment first leaves that one cleanly.
deactivate nondestructive

setenv VIRTUAL_ENV {{VIRTUAL_ENV}}
setenv VIRTUAL_ENV_PROMPT {{PROMPT}}

set _OLD_VIRTUAL_PATH="$PATH:q"
setenv PATH "$VIRTUAL_ENV:q/{{BIN}}:$PATH:q"

if ( $?prompt ) then
    set _OLD_VIRTUAL_PROMPT="$prompt:q"
    if ( ! $?VIRTUAL_ENV_DISABLE_PROMPT ) then
        set prompt = "($VIRTUAL_ENV_PROMPT:q) $prompt:q"
    endif
endif

rehash
"#;

const POWERSHELL: &str = r#"# Dot-source this file from PowerShell: `. {{BIN}}/activate.ps1`.

function global:deactivate ([switch]$NonDestructive) {
    if (Test-Path -Path Variable:_OLD_VIRTUAL_PATH) {
        $env:PATH = $global:_OLD_VIRTUAL_PATH
        Remove-Variable -Name _OLD_VIRTUAL_PATH -Scope Global
    }
    if (Test-Path -Path Variable:_OLD_VIRTUAL_PYTHONHOME) {
        $env:PYTHONHOME = $global:_OLD_VIRTUAL_PYTHONHOME
        Remove-Variable -Name _OLD_VIRTUAL_PYTHONHOME -Scope Global
    }
    if (Test-Path -Path Function:_skua_old_prompt) {
        Copy-Item -Path Function:_skua_old_prompt -Destination Function:prompt
        Remove-Item -Path Function:_skua_old_prompt
    }
    if (Test-Path -Path Env:VIRTUAL_ENV) { Remove-Item -Path Env:VIRTUAL_ENV }
    if (Test-Path -Path Env:VIRTUAL_ENV_PROMPT) { Remove-Item -Path Env:VIRTUAL_ENV_PROMPT }
    if (-not $NonDestructive) { Remove-Item -Path Function:deactivate }
}

# Activating over another environment first leaves that one cleanly.
deactivate -NonDestructive

$env:VIRTUAL_ENV = {{VIRTUAL_ENV}}
$env:VIRTUAL_ENV_PROMPT = {{PROMPT}}

$global:_OLD_VIRTUAL_PATH = $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV '{{BIN}}') + [System.IO.Path]::PathSeparator + $env:PATH

if (Test-Path -Path Env:PYTHONHOME) {
    $global:_OLD_VIRTUAL_PYTHONHOME = $env:PYTHONHOME
    Remove-Item -Path Env:PYTHONHOME
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    Copy-Item -Path Function:prompt -Destination Function:_skua_old_prompt
    function global:prompt {
        Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "
        _skua_old_prompt
    }
}
"#;

/// `(file name, contents)` of every activation script for a venv at `venv` (absolute,
/// UTF-8) whose scripts live in `bin_name`.
pub(crate) fn scripts(venv: &str, prompt: &str, bin_name: &str) -> Vec<(&'static str, String)> {
    let render = |template: &str, quote: fn(&str) -> String| {
        template
            .replace("{{VIRTUAL_ENV}}", &quote(venv))
            .replace("{{PROMPT}}", &quote(prompt))
            .replace("{{BIN}}", bin_name)
    };
    vec![
        ("activate", render(BASH, quote_posix)),
        ("activate.fish", render(FISH, quote_fish)),
        ("activate.csh", render(CSH, quote_csh)),
        ("activate.ps1", render(POWERSHELL, quote_powershell)),
    ]
}

/// A POSIX shell single-quoted word; a `'` inside is closed, escaped and reopened.
pub(crate) fn quote_posix(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// fish single quotes only treat `\\` and `\'` specially.
fn quote_fish(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// csh single quotes still expand history (`!`), so that needs its own backslash.
fn quote_csh(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''").replace('!', r"\!"))
}

/// PowerShell single quotes double an embedded `'`.
fn quote_powershell(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_each_shell() {
        assert_eq!(quote_posix("/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(quote_fish(r"/a\b/it's"), r"'/a\\b/it\'s'");
        assert_eq!(quote_csh("/x!/it's"), r"'/x\!/it'\''s'");
        assert_eq!(quote_powershell("/it's"), "'/it''s'");
    }

    #[test]
    fn every_placeholder_is_filled() {
        for (name, text) in scripts("/tmp/v", "v", "bin") {
            assert!(!text.contains("{{"), "{name} has an unfilled placeholder");
            assert!(text.contains("/tmp/v"), "{name} does not name the venv");
        }
    }
}
