set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-xl: decode, tpot_ms'
$d0 << EOD
-0.03 114.739123 111.777057 117.701189
0.97 116.58924 110.451305 122.727175
1.97 213.989859 194.035502 233.944216
EOD
$d1 << EOD
0.03 223.696031 193.713879 253.678183
1.03 342.520836 316.542541 368.499131
2.03 463.847326 441.783372 485.911281
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
