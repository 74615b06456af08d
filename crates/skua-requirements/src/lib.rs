//! Lossless parsing of Python dependency declarations, with byte-offset spans into the
//! original text:
//!
//! * pip requirements files ([`parse_requirements`]),
//! * `pyproject.toml` dependency tables ([`parse_pyproject`]),
//! * PEP 723 inline script metadata ([`parse_script_metadata`]),
//! * requirement and specifier strings of published metadata, with the common mistakes
//!   of old uploads fixed ([`parse_requirement_lenient`], [`parse_specifiers_lenient`]).
//!
//! Every [`Span`] indexes the text that was passed in, even when the content was
//! assembled from several physical lines (continuations, `# ` comment prefixes), so
//! `&text[span]` always yields the exact source of the item.

mod lenient;
mod marker;
mod offsets;
mod pyproject;
mod requirement;
mod requirements_txt;
mod script;

pub use lenient::{Fix, Lenient, parse_requirement_lenient, parse_specifiers_lenient};
pub use marker::{Marker, MarkerEnvironment, MarkerOp, MarkerValue};
pub use pyproject::{
    Issue, ListedRequirement, Poetry, PoetryDependency, Pyproject, PyprojectError, parse_pyproject,
};
pub use requirement::{ParseError, Requirement};
pub use requirements_txt::{Entry, EntryKind, IncludeKind, RequirementsFile, parse_requirements};
pub use script::{ScriptMetadata, ScriptMetadataError, parse_script_metadata};

/// Byte offsets into the original text.
pub type Span = std::ops::Range<usize>;
