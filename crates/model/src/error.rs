//! Errors of the model, each carrying the exact AWS error code a client branches on.

pub use codes::Code;
use codes::Ec2;
use std::fmt;

/// A rejected operation: AWS's error code and a message that says why. The HTTP status that
/// goes with a code is the API layer's business (`api::status_of`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: Code,
    pub message: String,
    /// The vpclab quota (`--quota NAME=N`) that refused the call, for the server's log.
    pub quota: Option<&'static str>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Error { code: code.into(), message: message.into(), quota: None }
    }

    /// A default quota refused the call: AWS's code and text, plus the quota's name, so the
    /// server can say how to raise it (`--quota`, `--raised-quotas`) without changing AWS's answer.
    pub fn quota(name: &'static str, code: impl Into<Code>, message: impl Into<String>) -> Self {
        Error { quota: Some(name), ..Error::new(code, message) }
    }

    /// `<Code>.NotFound` for a missing resource: `The vpc ID 'vpc-1' does not exist`.
    pub fn not_found(code: Ec2, noun: &str, id: &str) -> Self {
        Error::new(code, format!("The {noun} ID '{id}' does not exist"))
    }

    /// `<Code>.Malformed` for an id that cannot be one of its kind (ids start `<prefix>-`).
    pub fn malformed(code: Ec2, prefix: &str, id: &str) -> Self {
        Error::new(code, format!("Invalid id: \"{id}\" (expecting \"{prefix}-...\")"))
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> Self {
        Error::new(Ec2::InvalidParameterValue, message)
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Error::new(Ec2::InvalidParameter, message)
    }

    pub fn invalid_combination(message: impl Into<String>) -> Self {
        Error::new(Ec2::InvalidParameterCombination, message)
    }

    pub fn missing_parameter(name: &str) -> Self {
        Error::new(Ec2::MissingParameter, format!("The request must contain the parameter {name}"))
    }

    /// A client token used again for a request with other parameters.
    pub fn idempotent_mismatch(token: &str) -> Self {
        Error::new(
            Ec2::IdempotentParameterMismatch,
            format!(
                "The client token '{token}' was already used for a request with different \
                 parameters."
            ),
        )
    }

    pub fn dependency_violation(message: impl Into<String>) -> Self {
        Error::new(Ec2::DependencyViolation, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(Ec2::InternalError, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}
