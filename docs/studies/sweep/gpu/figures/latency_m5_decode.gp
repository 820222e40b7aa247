set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-medium: decode, tpot_ms'
$d0 << EOD
-0.06 13.6535802 13.5533882 13.7537723
0.94 13.0049707 11.5061943 14.503747
1.94 18.1255189 17.374161 18.8768769
EOD
$d1 << EOD
0 1.00552652 1.00484656 1.00620648
1 1.05564835 1.05501144 1.05628527
2 2.04352029 2.03905826 2.04798232
EOD
$d2 << EOD
0.06 0.992921432 0.986579728 0.999263137
1.06 1.04557002 1.0390824 1.05205764
2.06 1.96270193 1.95879254 1.96661132
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0'
