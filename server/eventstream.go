package server

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// The event-stream framing of InvokeWithResponseStream: each message is
//
//	[total length u32][headers length u32][CRC32 of those 8 bytes]
//	[headers][payload][CRC32 of everything before]
//
// with CRC32 IEEE, and each header [name length u8][name][type u8 = 7,
// string][value length u16][value]. Big-endian throughout.
// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
const (
	preludeLen       = 12
	headerTypeString = 7
)

// eventHeaders are the headers of one kind of message, encoded once.
type eventHeaders []byte

func newEventHeaders(eventType, contentType string) eventHeaders {
	var b []byte
	for _, h := range [][2]string{
		{":message-type", "event"},
		{":event-type", eventType},
		{":content-type", contentType},
	} {
		b = append(b, byte(len(h[0])))
		b = append(b, h[0]...)
		b = append(b, headerTypeString)
		b = binary.BigEndian.AppendUint16(b, uint16(len(h[1])))
		b = append(b, h[1]...)
	}
	return b
}

var (
	payloadChunkHeaders   = newEventHeaders("PayloadChunk", "application/octet-stream")
	invokeCompleteHeaders = newEventHeaders("InvokeComplete", "application/json")
)

// appendEvent appends one event-stream message to b.
func appendEvent(b []byte, headers eventHeaders, payload []byte) []byte {
	total := preludeLen + len(headers) + len(payload) + 4
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(headers)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:start+8]))
	b = append(b, headers...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// writeEvent writes one message to w.
func writeEvent(w io.Writer, buf []byte, headers eventHeaders, payload []byte) ([]byte, error) {
	buf = appendEvent(buf[:0], headers, payload)
	_, err := w.Write(buf)
	return buf, err
}
