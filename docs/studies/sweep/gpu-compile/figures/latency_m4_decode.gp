set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 4.20124328 3.84978567 4.5527009
0.97 4.58978918 4.38027981 4.79929855
1.97 3.84694708 3.37627359 4.31762057
EOD
$d1 << EOD
0.03 7.01234037 6.22496884 7.79971191
1.03 6.67228467 5.81393599 7.53063335
2.03 6.44703339 5.93736584 6.95670093
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
