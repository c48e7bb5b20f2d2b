//! Load errors and warnings: each names the file, the JSON path inside it, the line and column
//! when known, and says what is wrong in one lowercase sentence (STYLE.md items 9-10).

use crate::diagnostics::{Diagnostic, Severity};
use crate::model::Loc;
use std::fmt;

/// What a [`Problem`] is about. Tools and tests match on it; people read the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A file could not be read.
    Io,
    /// The text is not (strict) JSON, or a JSON Lines line is not.
    Json,
    /// A value has the wrong JSON type, a required field is missing, or a field is unknown.
    Shape,
    /// A value has the right type but is not allowed (an account id that is not 12 digits, …).
    InvalidValue,
    /// A policy document is invalid; [`Problem::diagnostics`] says why.
    InvalidPolicy,
    /// A policy document was accepted with warnings (lenient mode keeps them here).
    PolicyWarning,
    /// A policy document given as a string is not valid URL encoding or UTF-8.
    Encoding,
    /// An attached managed policy is defined nowhere.
    UnknownPolicy,
    /// A permissions boundary is defined nowhere (always an error: dropping it would widen
    /// permissions).
    UnknownBoundary,
    /// A user is listed in a group that does not exist in its account ("dangling group").
    DanglingGroup,
    /// A user is listed in a group of another account.
    ForeignGroup,
    /// A user named by the manifest does not exist in the account.
    UnknownUser,
    /// A reference to an organizational unit (or root) that is not defined.
    UnknownUnit,
    /// A reference to an account that is not defined.
    UnknownAccount,
    /// An SCP or RCP attachment names a policy that is not defined.
    UnknownOrgPolicy,
    /// Something is defined twice (an account, a user, an OU, a resource, a tag key, …).
    Duplicate,
    /// ARNs name another account than the one the data belongs to.
    AccountMismatch,
    /// The account a dump belongs to cannot be told.
    MissingAccount,
    /// An organization node has no SCP attached (AWS never allows that).
    NoScp,
    /// The OU tree has a cycle.
    Cycle,
    /// Input that was read but ignored (`IsTruncated`, `Marker`, unknown dump keys).
    Ignored,
    /// Input that was rewritten to be accepted (a quirk of the format or of a tool).
    Rewritten,
    /// An attachment was dropped because its policy is defined nowhere (only when
    /// [`MissingPolicy::Drop`](super::MissingPolicy::Drop) is chosen).
    DroppedAttachment,
    /// Two sources define the same managed policy ARN with different documents.
    Conflict,
    /// An input exceeds [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES) (nothing of it was read).
    TooLarge,
}

/// One error or warning of a loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// What it is about.
    pub kind: ProblemKind,
    /// The file, as given to the loader (or joined to the manifest's folder).
    pub file: String,
    /// The JSON path of the value inside the file (`RoleDetailList[3].RolePolicyList[0]`);
    /// empty for the whole file.
    pub path: String,
    /// Line and column of the value, when known.
    pub loc: Option<Loc>,
    /// One lowercase sentence, user input in backticks, no final period.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The policy front end's diagnostics, for [`ProblemKind::InvalidPolicy`] and
    /// [`ProblemKind::PolicyWarning`].
    pub diagnostics: Vec<Diagnostic>,
    /// True when the locations of `diagnostics` are relative to a document that was given as a
    /// string (URL-encoded or JSON text) and decoded, not to `file`.
    pub decoded: bool,
}

impl Problem {
    /// A new error.
    pub fn error(
        kind: ProblemKind,
        file: impl Into<String>,
        path: impl Into<String>,
        loc: Option<Loc>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Error,
            kind,
            file: file.into(),
            path: path.into(),
            loc,
            message: message.into(),
            help: None,
            diagnostics: Vec::new(),
            decoded: false,
        }
    }

    /// A new warning.
    pub fn warning(
        kind: ProblemKind,
        file: impl Into<String>,
        path: impl Into<String>,
        loc: Option<Loc>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(kind, file, path, loc, message)
        }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    /// `FILE:LINE:COL: error: `PATH`: message`, then one indented line per policy diagnostic
    /// and the help line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(loc) = self.loc {
            write!(f, ":{}:{}", loc.line, loc.col)?;
        }
        write!(f, ": {}: ", self.severity)?;
        if !self.path.is_empty() {
            write!(f, "`{}`: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        for d in &self.diagnostics {
            if self.decoded {
                write!(f, "\n    (in the decoded document) {d}")?;
            } else {
                write!(f, "\n    {}:{d}", self.file)?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n    = help: {help}")?;
        }
        Ok(())
    }
}

/// The error of a loader: every problem found (errors, and the warnings found on the way), in
/// the order found. A loader collects all of them instead of stopping at the first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.problems))]
pub struct LoadError {
    problems: Vec<Problem>,
}

fn render(problems: &[Problem]) -> String {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let mut out = String::new();
    for p in problems {
        out.push_str(&p.to_string());
        out.push('\n');
    }
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    out.push_str(&format!(
        "{}, {}",
        plural(errors, "error"),
        plural(problems.len() - errors, "warning")
    ));
    out
}

impl LoadError {
    /// An error made of these problems. At least one of them should be an error.
    pub fn new(problems: Vec<Problem>) -> LoadError {
        LoadError { problems }
    }

    /// One problem.
    pub fn single(problem: Problem) -> LoadError {
        LoadError {
            problems: vec![problem],
        }
    }

    /// Every problem (errors and warnings), in the order found.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }

    /// True when some error is of this kind.
    pub fn has(&self, kind: ProblemKind) -> bool {
        self.errors().any(|p| p.kind == kind)
    }

    /// Takes the problems out.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
}

/// A value read successfully, with the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Loaded<T> {
    /// The value.
    pub value: T,
    /// Warnings (lenient-mode policy lints, ignored fields, rewritten quirks, dropped
    /// attachments), in the order found.
    pub warnings: Vec<Problem>,
}

/// Accumulates problems; the single place that decides between `Ok` and `Err`.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) problems: Vec<Problem>,
}

impl Sink {
    pub(crate) fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    pub(crate) fn extend(&mut self, ps: impl IntoIterator<Item = Problem>) {
        self.problems.extend(ps);
    }

    pub(crate) fn error_count(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// `Ok` with the warnings when nothing is an error, else `Err` with everything.
    pub(crate) fn finish<T>(self, value: T) -> Result<Loaded<T>, LoadError> {
        if self.has_errors() {
            Err(LoadError::new(self.problems))
        } else {
            Ok(Loaded {
                value,
                warnings: self.problems,
            })
        }
    }
}
