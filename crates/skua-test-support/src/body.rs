use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

/// How long a truncated body stalls before the connection drops. hyper only flushes what
/// it has buffered when the body stalls, so without the pause the client would not even
/// see the headers and the fault would look like a refused request instead.
const STALL_BEFORE_DROP: Duration = Duration::from_millis(50);

/// A response body that is either complete or deliberately cut short.
///
/// A truncated body yields its bytes and then an error, which makes hyper abort the
/// connection: the client sees fewer bytes than the Content-Length it was promised, exactly
/// like a connection dropped mid-download.
#[derive(Debug)]
pub(crate) enum Body {
    Full(Option<Bytes>),
    Truncated {
        data: Option<Bytes>,
        stall: Pin<Box<Sleep>>,
    },
}

impl Body {
    pub(crate) fn empty() -> Body {
        Body::Full(None)
    }

    pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
        Body::Full(Some(bytes.into()))
    }

    /// Sends `partial`, then drops the connection. Must be created inside the runtime.
    pub(crate) fn truncated(partial: Bytes) -> Body {
        Body::Truncated {
            data: Some(partial),
            stall: Box::pin(tokio::time::sleep(STALL_BEFORE_DROP)),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Body::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Body::Truncated { data, stall } => {
                if let Some(d) = data.take() {
                    return Poll::Ready(Some(Ok(Frame::data(d))));
                }
                stall.as_mut().poll(cx).map(|()| {
                    Some(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "fault injection: connection dropped mid-body",
                    )))
                })
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(Some(d)) => SizeHint::with_exact(d.len() as u64),
            Body::Full(None) => SizeHint::with_exact(0),
            // Unknown, so hyper keeps the full Content-Length header we set.
            Body::Truncated { .. } => SizeHint::default(),
        }
    }
}
