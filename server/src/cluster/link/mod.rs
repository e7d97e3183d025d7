//! The link between a gateway node and a center's owner: one WebSocket per
//! gateway and owner that carries every client socket the gateway relays,
//! so the owner holds one socket per gateway instead of one per client.
//! The gateway keeps the clients' sockets (their pings, idle checks and
//! slow readers); the owner runs each client's session as it runs a local
//! one, over the link ([`owner_end`], [`gateway_end`]).
//!
//! Every link message is one binary frame: a kind byte, the client
//! socket's id on the gateway (8 bytes, big-endian), then the payload.

pub mod gateway_end;
pub mod owner_end;

/// What a link frame says about one client socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Gateway to owner: a new client socket; payload: its address, as text.
    Open = 0,
    /// Either way: a text frame of the client's or to the client.
    Text = 1,
    /// Either way: the socket ends; from the owner the payload is the close
    /// code (2 bytes, big-endian) and the reason; from the gateway, empty.
    Close = 2,
    /// Gateway to owner: a binary frame of the client's.
    Binary = 3,
    /// Owner to gateway: the session's keep-alive; the gateway answers
    /// [`Kind::Pong`] while it holds the client (it checks the client's
    /// own liveness itself).
    Ping = 4,
    /// Gateway to owner: the answer to [`Kind::Ping`].
    Pong = 5,
}

impl Kind {
    fn from_byte(byte: u8) -> Option<Kind> {
        Some(match byte {
            0 => Kind::Open,
            1 => Kind::Text,
            2 => Kind::Close,
            3 => Kind::Binary,
            4 => Kind::Ping,
            5 => Kind::Pong,
            _ => return None,
        })
    }
}

/// The bytes of a link frame.
pub fn encode(kind: Kind, socket: u64, payload: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(9 + payload.len());
    frame.push(kind as u8);
    frame.extend_from_slice(&socket.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// A close frame from the owner: the code and the reason.
pub fn encode_close(socket: u64, code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    encode(Kind::Close, socket, &payload)
}

/// A link frame's kind, socket id and payload; `None` for bytes that are
/// not one.
pub fn decode(frame: &[u8]) -> Option<(Kind, u64, &[u8])> {
    let kind = Kind::from_byte(*frame.first()?)?;
    let socket = u64::from_be_bytes(frame.get(1..9)?.try_into().ok()?);
    Some((kind, socket, frame.get(9..)?))
}

/// The code and reason of an owner's close payload (1000 when it has none).
pub fn decode_close(payload: &[u8]) -> (u16, String) {
    match payload {
        [high, low, reason @ ..] => (u16::from_be_bytes([*high, *low]), String::from_utf8_lossy(reason).into_owned()),
        _ => (1000, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_garbage_is_refused() {
        let frame = encode(Kind::Text, 7, b"{\"ping\":{}}");
        assert_eq!(decode(&frame), Some((Kind::Text, 7, &b"{\"ping\":{}}"[..])));
        let close = encode_close(u64::MAX, 4001, "unauthorized");
        let (kind, socket, payload) = decode(&close).expect("a frame");
        assert_eq!((kind, socket, decode_close(payload)), (Kind::Close, u64::MAX, (4001, "unauthorized".to_owned())));
        assert_eq!(decode(&[9, 0, 0, 0, 0, 0, 0, 0, 1]), None, "an unknown kind");
        assert_eq!(decode(&[1, 0, 0]), None, "too short");
        assert_eq!(decode_close(&[]), (1000, String::new()));
    }
}
