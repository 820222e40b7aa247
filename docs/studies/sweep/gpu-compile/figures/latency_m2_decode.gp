set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-18m: decode, tpot_ms'
$d0 << EOD
-0.03 1.7928904 1.75383692 1.83194388
0.97 1.8516613 1.76846006 1.93486255
1.97 2.34099263 1.82885517 2.8531301
EOD
$d1 << EOD
0.03 6.27434023 6.1864777 6.36220275
1.03 6.24513823 6.09361646 6.39666
2.03 6.56433282 6.35960426 6.76906138
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
