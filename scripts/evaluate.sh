#!/bin/sh
# Reproduces every figure of EVALUATION.md. Run from the repository root after `cargo build --release`.
set -e
C=${CREDENCE:-./target/release/credence}
D=${DATASETS:-/work/shared/datasets}
W=${WORK:-/tmp/credence-eval}
mkdir -p $W
for s in d_jn-product d_Duck_Identification s4_Dog_data s4_Face_Sentiment_Identification f201_Emotion_FULL; do
  $C convert crowd --answers $D/crowd_truth_infer/$s/answer.csv --truth $D/crowd_truth_infer/$s/truth.csv --out $W/$s
done
$C convert book --claims $D/book/book.txt --gold $D/book/book_golden.txt --out $W/book
$C convert population --claims $D/population/population-new.txt --gold $D/population/population-gd.txt --out $W/population
$C convert liar --train $D/liar/train.tsv --test $D/liar/test.tsv --out $W/liar
# The validation split, on which the six-way model (speakers alone or within parties) was chosen.
$C convert liar --train $D/liar/train.tsv --test $D/liar/valid.tsv --out $W/liar-valid
for s in d_jn-product d_Duck_Identification s4_Dog_data s4_Face_Sentiment_Identification; do
  echo "== $s"
  $C eval --claims $W/$s/claims.csv --gold $W/$s/gold.csv --value-kind label --methods em,vote,dawid-skene,truthfinder
done
echo "== f201_Emotion_FULL (estimate_mae: em's estimate, vote's median)"
$C eval --claims $W/f201_Emotion_FULL/claims.csv --gold $W/f201_Emotion_FULL/gold.csv --value-kind number --methods em,vote,truthfinder
# The paper's scales (Snow et al. 2008): six emotions rated 0..100, valence -100..100; an end holds on a story
# only where no answer lies beyond it, so 0:100 describes the emotions and leaves valence's 0 a plain number.
for b in 0:100 0:; do
  echo "== f201_Emotion_FULL, --value-bounds $b"
  $C eval --claims $W/f201_Emotion_FULL/claims.csv --gold $W/f201_Emotion_FULL/gold.csv --value-kind number --methods em,vote,truthfinder --value-bounds $b
done
echo "== f201_Emotion_FULL as labels"
$C eval --claims $W/f201_Emotion_FULL/claims.csv --gold $W/f201_Emotion_FULL/gold.csv --value-kind label --methods em,dawid-skene
echo "== book"
$C eval --claims $W/book/claims.csv --gold $W/book/gold.csv --value-kind list --methods em,vote,truthfinder
echo "== population"
$C eval --claims $W/population/claims.csv --gold $W/population/gold.csv --value-kind number --methods em,vote,truthfinder
echo "== population, figures compared exactly (--value-kind text)"
$C eval --claims $W/population/claims.csv --gold $W/population/gold.csv --value-kind text --methods em,truthfinder,vote
echo "== book and population, em with copy detection"
$C eval --claims $W/book/claims.csv --gold $W/book/gold.csv --value-kind list --methods em --detect-copies
$C eval --claims $W/population/claims.csv --gold $W/population/gold.csv --value-kind number --methods em --detect-copies
echo "== liar"
$C eval --claims $W/liar/claims.csv --resolutions $W/liar/resolutions.csv --gold $W/liar/gold.csv --methods em,responses,vote,dawid-skene,truthfinder
echo "== liar with party groups"
$C eval --claims $W/liar/claims.csv --resolutions $W/liar/resolutions.csv --gold $W/liar/gold.csv --methods em,responses,vote --sources-meta $W/liar/speakers.csv
for m in 5 10; do
  echo "== liar, speakers with at least $m test statements"
  $C eval --claims $W/liar/claims.csv --resolutions $W/liar/resolutions.csv --gold $W/liar/gold.csv --methods responses --min-gold-claims $m
done
for g in "" "--sources-meta $W/liar-valid/speakers.csv"; do
  echo "== liar validation split $g"
  $C eval --claims $W/liar-valid/claims.csv --resolutions $W/liar-valid/resolutions.csv --gold $W/liar-valid/gold.csv --methods responses $g
done
