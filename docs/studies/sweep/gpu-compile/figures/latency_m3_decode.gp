set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'synthetic-52m: decode, tpot_ms'
$d0 << EOD
-0.03 4.17468234 4.10888975 4.24047492
0.97 2.88029694 2.52882864 3.23176523
1.97 3.65205812 2.72125886 4.58285739
EOD
$d1 << EOD
0.03 4.39242561 3.69233407 5.09251716
1.03 5.71964777 5.40953621 6.02975932
2.03 4.67347468 3.81526596 5.53168341
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
