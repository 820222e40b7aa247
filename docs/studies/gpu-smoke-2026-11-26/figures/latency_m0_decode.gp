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
-0.09 0.0469877226 0.04624302 0.0477324252
0.91 0.0516314194 0.0514047462 0.0518580925
1.91 0.0895356903 0.0888726712 0.0901987094
EOD
$d1 << EOD
-0.03 0.0493950645 0.0486238159 0.0501663132
0.97 0.0508496129 0.0507569183 0.0509423075
1.97 0.086527729 0.0857872732 0.0872681849
EOD
$d2 << EOD
0.03 0.889609452 0.85732321 0.921895693
1.03 1.41478935 1.25426014 1.57531856
2.03 0.956919445 0.914991286 0.998847605
EOD
$d3 << EOD
0.09 1.23475423 1.20988944 1.25961901
1.09 1.28732025 1.27007029 1.30457022
2.09 1.3265245 1.31608828 1.33696072
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda fp32 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-compile fp16 on cuda:0', \
     $d3 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
