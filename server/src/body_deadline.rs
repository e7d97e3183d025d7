//! A request body that must keep coming (SPEC N8).
//!
//! The request head has its own deadline (`HEADER_READ_TIMEOUT`); without
//! one for the body, a client that sends a `Content-Length` and then part of
//! the body, or nothing, held a connection and the bytes buffered so far
//! for as long as it liked (the body is read before a handler checks the
//! token), and kept a stopping server from finishing.

use axum::body::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The longest a request body may go without a byte once its reading began:
/// the read then fails, the handler answers `400 bad_request` (a streamed
/// import publishes nothing) and the connection is closed.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// An incoming body whose read fails after [`BODY_IDLE_TIMEOUT`] without data.
pub struct IdleBody {
    inner: Incoming,
    /// Armed while a read waits, and again after each frame.
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl IdleBody {
    /// Wraps a request's body.
    pub fn new(inner: Incoming) -> IdleBody {
        IdleBody { inner, idle: None }
    }
}

impl Body for IdleBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.idle = None;
                Poll::Ready(frame.map(|result| result.map_err(Into::into)))
            }
            Poll::Pending => {
                let idle = this.idle.get_or_insert_with(|| Box::pin(tokio::time::sleep(BODY_IDLE_TIMEOUT)));
                match idle.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(format!("no byte of the request body for {} s", BODY_IDLE_TIMEOUT.as_secs()).into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
