;; Unescapes the content of a JSON string, in place, sixteen bytes at a time (WebAssembly SIMD).
;; src/stream/json-string.ts copies an event's bytes from the string's first content byte into
;; `memory`, sets $in and $out to 0 and calls `unescape` with the number of bytes it copied.
;;
;; A run of plain bytes is copied sixteen at a time; a block that holds a special byte (a control
;; character, '"' or '\') is copied up to it and the byte is handled alone: the closing quote ends
;; the string; \" \\ \/ \b \f \n \r \t become their byte; \u hands over to the caller, which writes
;; the code point (or a surrogate pair's) as UTF-8 at $out, moves $in past the escape and calls
;; again. Output is never longer than its input (every escape shrinks), so it is written over the
;; input: a full block is stored only after it was loaded, and a partial one is moved with
;; memory.copy, so no byte is overwritten before it is read.
;;
;; Results: 0 the closing quote was read ($in is after it, $out is the length of the bytes);
;; 1 a \u escape starts at $in; -1 not a string read here (a raw control character, an unknown
;; escape, or no closing quote within `end` bytes).
(module
  (memory (export "memory") 1)
  (global $in (export "inAt") (mut i32) (i32.const 0))
  (global $out (export "outAt") (mut i32) (i32.const 0))

  (func (export "unescape") (param $end i32) (result i32)
    (local $i i32) (local $o i32) (local $block v128) (local $special i32) (local $byte i32) (local $escape i32)
    (local.set $i (global.get $in))
    (local.set $o (global.get $out))
    (loop $next
      (block $one
        (loop $sixteen
          (br_if $one (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
          (local.set $block (v128.load (local.get $i)))
          (local.set $special
            (i8x16.bitmask
              (v128.or
                (v128.or
                  (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x22)))
                  (i8x16.eq (local.get $block) (i8x16.splat (i32.const 0x5c))))
                (i8x16.lt_u (local.get $block) (i8x16.splat (i32.const 0x20))))))
          (if (i32.eqz (local.get $special))
            (then
              (v128.store (local.get $o) (local.get $block))
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (br $sixteen)))
          ;; The plain bytes before the first special one.
          (local.set $special (i32.ctz (local.get $special)))
          (memory.copy (local.get $o) (local.get $i) (local.get $special))
          (local.set $i (i32.add (local.get $i) (local.get $special)))
          (local.set $o (i32.add (local.get $o) (local.get $special)))))
      ;; One byte: a special one, or one of the last fifteen.
      (if (i32.ge_u (local.get $i) (local.get $end)) (then (return (i32.const -1))))
      (local.set $byte (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $byte) (i32.const 0x22))
        (then
          (global.set $in (i32.add (local.get $i) (i32.const 1)))
          (global.set $out (local.get $o))
          (return (i32.const 0))))
      (if (i32.lt_u (local.get $byte) (i32.const 0x20)) (then (return (i32.const -1))))
      (if (i32.ne (local.get $byte) (i32.const 0x5c))
        (then
          (i32.store8 (local.get $o) (local.get $byte))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (br $next)))
      ;; A backslash: the byte after it says which escape.
      (if (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $end)) (then (return (i32.const -1))))
      (local.set $escape (i32.load8_u (i32.add (local.get $i) (i32.const 1))))
      (block $known
        (local.set $byte (i32.const 0x0a))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x6e))) ;; \n
        (local.set $byte (local.get $escape))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x22))) ;; \"
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x5c))) ;; \\
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x2f))) ;; \/
        (local.set $byte (i32.const 0x09))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x74))) ;; \t
        (local.set $byte (i32.const 0x0d))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x72))) ;; \r
        (local.set $byte (i32.const 0x08))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x62))) ;; \b
        (local.set $byte (i32.const 0x0c))
        (br_if $known (i32.eq (local.get $escape) (i32.const 0x66))) ;; \f
        (if (i32.eq (local.get $escape) (i32.const 0x75)) ;; \u: the caller's
          (then
            (global.set $in (local.get $i))
            (global.set $out (local.get $o))
            (return (i32.const 1))))
        (return (i32.const -1)))
      (i32.store8 (local.get $o) (local.get $byte))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (local.set $o (i32.add (local.get $o) (i32.const 1)))
      (br $next))
    (unreachable))
)
