set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 1.47073183 1.36137844 1.58008521
0.97 1.35000277 1.33701265 1.3629929
1.97 1.62405757 1.542258 1.70585715
EOD
$d1 << EOD
0.03 1.90346424 1.75319776 2.05373071
1.03 1.67118382 1.62723986 1.71512778
2.03 1.87988548 1.68198423 2.07778674
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
